import type { InstanceRecord } from '../../domain/instance-record.js';
import { ApiError } from '../../ecs/errors.js';
import type { RequestContext } from '../context.js';

/**
 * Least privilege for agent-side operations: instance credentials act only for the container instances of
 * their own managed instance (its `ec2InstanceId`). Administrators may act for any. Call it in every `agent`
 * operation that names a container instance, after finding it.
 */
export function assertOwnInstance(
  ctx: RequestContext,
  containerInstance: InstanceRecord,
  operation: string,
): void {
  const { caller } = ctx;
  if (caller.kind === 'admin') return;
  if (caller.kind === 'instance' && caller.instanceId !== undefined) {
    if (containerInstance.ec2InstanceId === caller.instanceId) return;
  }
  throw new ApiError(
    'AccessDeniedException',
    `User: ${caller.principalArn} is not authorized to perform: ecs:${operation} on resource: ` +
      `${containerInstance.containerInstanceArn}, which belongs to another host.`,
  );
}
