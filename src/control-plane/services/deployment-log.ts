/**
 * The info-level lines that tell a deployment's life in the control plane's log: started (CreateService,
 * UpdateService), finished, failed, rolled back (the controller). Found by comparing a service's deployments
 * before and after a committed write, so every writer logs the same way.
 */
import type { Logger } from 'pino';
import type { DeploymentRecord } from '../../domain/service-record.js';

/** What a rollback replaced, when the write was one (the reconciler's plan says so). */
export interface RolledBack {
  readonly failedDeploymentId: string;
  readonly toDeploymentId: string;
}

export function logDeploymentChanges(
  log: Logger,
  serviceArn: string,
  before: readonly DeploymentRecord[],
  after: readonly DeploymentRecord[],
  rollback?: RolledBack,
): void {
  const previous = new Map(before.map((d) => [d.id, d]));
  for (const d of after) {
    const was = previous.get(d.id);
    const deployment = { service: serviceArn, deployment: d.id, taskDefinition: d.taskDefinition };
    if (was === undefined) {
      if (rollback !== undefined) {
        log.info(
          { ...deployment, failedDeployment: rollback.failedDeploymentId, to: rollback.toDeploymentId },
          'deployment rolled back',
        );
      } else {
        log.info({ ...deployment, desiredCount: d.desiredCount }, 'deployment started');
      }
    } else if (was.rolloutState !== d.rolloutState && d.rolloutState === 'COMPLETED') {
      log.info(deployment, 'deployment finished');
    } else if (was.rolloutState !== d.rolloutState && d.rolloutState === 'FAILED') {
      log.info({ ...deployment, reason: d.rolloutStateReason }, 'deployment failed');
    }
  }
}
