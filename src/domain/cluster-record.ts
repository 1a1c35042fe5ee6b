/**
 * A cluster as the control plane keeps it: ECS's Cluster members, those every cluster has required. The
 * counters and statistics DescribeClusters shows are derived from live state when it answers
 * (`operations/ecs/clusters/view.ts`) and never stored, so they cannot drift.
 */
import type { Cluster } from '@aws-sdk/client-ecs';
import type { ClusterStatus } from './status.js';

type DerivedClusterMember =
  | 'registeredContainerInstancesCount'
  | 'runningTasksCount'
  | 'pendingTasksCount'
  | 'activeServicesCount'
  | 'statistics';

export interface ClusterRecord extends Omit<
  Cluster,
  DerivedClusterMember | 'clusterArn' | 'clusterName' | 'status'
> {
  clusterArn: string;
  clusterName: string;
  status: ClusterStatus;
}
