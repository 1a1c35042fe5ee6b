/**
 * The lifecycle of a task definition revision: ACTIVE -> INACTIVE (DeregisterTaskDefinition) ->
 * DELETE_IN_PROGRESS (DeleteTaskDefinitions). ECS later removes a DELETE_IN_PROGRESS revision once no task or
 * service references it; Berth keeps it in that status, still describable, and never reuses its number.
 */
import type { TaskDefinition, TaskDefinitionStatus } from '@aws-sdk/client-ecs';

/**
 * The revision in its new status with the moment of the change recorded. The timestamp is placed after
 * `registeredAt` (and `deregisteredAt`), where the ECS model puts it, so CLI output reads like ECS's.
 */
export function withStatus(
  definition: TaskDefinition,
  status: TaskDefinitionStatus,
  stamp: { readonly deregisteredAt?: Date; readonly deleteRequestedAt?: Date },
): TaskDefinition {
  const out: Record<string, unknown> = {};
  const source = { ...definition, status } as Record<string, unknown>;
  const pending: [string, Date][] = [];
  if (stamp.deregisteredAt) pending.push(['deregisteredAt', stamp.deregisteredAt]);
  if (stamp.deleteRequestedAt) pending.push(['deleteRequestedAt', stamp.deleteRequestedAt]);
  const insert = (): void => {
    for (const [key, value] of pending.splice(0)) out[key] = value;
  };
  for (const [key, value] of Object.entries(source)) {
    if (pending.some(([k]) => k === key)) continue;
    out[key] = value;
    if (key === 'registeredAt' && !('deregisteredAt' in source)) insert();
    if (key === 'deregisteredAt') insert();
  }
  insert();
  return out;
}
