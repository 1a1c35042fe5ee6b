/**
 * Berth's extension of SubmitTaskStateChange: what the ECS API has no member for travels in one extra
 * top-level member, `berth`, of the request body. The agent adds it (`agent/tasks/submit-state-change.ts`);
 * the control plane reads it if present (`api/ecs/tasks/state-change.ts`) and works without it, since the
 * stock ECS agent never sends it. Unknown members are ignored in awsJson, so ECS itself would ignore it too.
 * Pure: no I/O.
 */

export const EXTENSION_MEMBER = 'berth';

/** Times are epoch seconds, as awsJson timestamps are. */
export interface BerthStateChangeExtension {
  /** When the change happened on the host (a report delivered late keeps its real time). */
  readonly at: number;
  /** When the task started on the host. */
  readonly startedAt?: number;
  /**
   * The report's number in the agent's durable queue: unique and growing per container instance for the life
   * of the agent's data directory; a report sent again (after a crash or a lost answer) carries the same
   * number, so the control plane records each change once.
   */
  readonly seq?: number;
  readonly containers?: readonly BerthContainerExtension[];
}

export interface BerthContainerExtension {
  readonly containerName: string;
  /** ECS learns health through its telemetry service instead. */
  readonly healthStatus?: string;
  /** Times the agent restarted the container under its restart policy. */
  readonly restartCount?: number;
}
