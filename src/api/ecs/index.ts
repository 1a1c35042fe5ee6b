/**
 * The ECS API as Berth serves it: every operation in one table. To add one, write
 * `<area>/<operation-name>.ts` exporting a `defineOperation(...)` and list it here.
 */
import { loadModel } from '../../protocol/model/index.js';
import type { ServiceDefinition } from '../operation.js';
import { createCluster } from './clusters/create-cluster.js';
import { deleteCluster } from './clusters/delete-cluster.js';
import { describeClusters } from './clusters/describe-clusters.js';
import { listClusters } from './clusters/list-clusters.js';
import { updateClusterSettings } from './clusters/update-cluster-settings.js';
import { updateCluster } from './clusters/update-cluster.js';

const operations = [
  createCluster,
  deleteCluster,
  describeClusters,
  listClusters,
  updateCluster,
  updateClusterSettings,
];

export const ecsService: ServiceDefinition = {
  targetPrefix: 'AmazonEC2ContainerServiceV20141113',
  signingName: 'ecs',
  model: loadModel('ecs'),
  operations: new Map(operations.map((op) => [op.name, op])),
};
