/**
 * Container health that an agent publishes over its telemetry session (the stock ECS agent reports health
 * only there): each container's `healthStatus`, and the task's, through the same report rule as a state
 * change (`domain/task-report.ts`: UNHEALTHY if an essential container is, HEALTHY if every essential one with
 * a health check is), applied in one transaction per task so a concurrent state report is never overwritten.
 *
 * Only tasks placed on the reporting container instance are touched: a host speaks for its own tasks. A
 * service's task whose health changed is announced (`clusterChanged`), so the service controller and its
 * deployment circuit breaker see it at once.
 */
import { applyTaskReport, type ContainerReport, type HealthStatus } from '../../domain/task-report.js';
import type { ChangeSink } from '../events.js';
import { taskDefinitionByArn } from '../lookup/task-definition-by-arn.js';
import type { Store } from '../store/types.js';

export interface HealthReport {
  readonly taskArn: string;
  readonly containers: readonly { readonly containerName: string; readonly healthStatus: HealthStatus }[];
}

export interface HealthDeps {
  readonly store: Store;
  readonly now: () => Date;
  readonly changes: Pick<ChangeSink, 'clusterChanged'>;
}

export interface HealthApplied {
  /** Tasks whose record changed. */
  readonly changed: number;
  /** Tasks not on this instance, or unknown (purged, or never placed here). */
  readonly ignored: number;
}

export async function applyHealthReports(
  deps: HealthDeps,
  containerInstanceArn: string,
  reports: readonly HealthReport[],
): Promise<HealthApplied> {
  let changed = 0;
  let ignored = 0;
  const clusters = new Set<string>();
  for (const report of reports) {
    const found = await deps.store.tasks.get(report.taskArn);
    if (found === undefined || found.containerInstanceArn !== containerInstanceArn) {
      ignored += 1;
      continue;
    }
    const definition = await taskDefinitionByArn(deps.store.taskDefinitions, found.taskDefinitionArn);
    const containers: ContainerReport[] = report.containers.map((c) => ({ ...c }));
    const applied = await deps.store.transaction(async (tx) => {
      const current = await tx.tasks.get(report.taskArn);
      if (current === undefined) return undefined;
      const next = applyTaskReport(
        current,
        { containers },
        {
          now: deps.now(),
          ...(definition !== undefined && { definition }),
        },
      );
      if (next.changed) await tx.tasks.put(next.task);
      return next;
    });
    if (applied === undefined) {
      ignored += 1;
    } else if (applied.changed) {
      changed += 1;
      if (applied.task.group?.startsWith('service:') === true) clusters.add(applied.task.clusterArn);
    }
  }
  for (const clusterArn of clusters) deps.changes.clusterChanged(clusterArn);
  return { changed, ignored };
}
