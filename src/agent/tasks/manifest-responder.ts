/**
 * The agent's answer to a TaskManifestMessage, after ECS's task manifest responder
 * (`ecs-agent/acs/session/task_manifest_responder.go`):
 *
 * 1. Check it is for this container instance; acknowledge it (AckRequest with its messageId).
 * 2. A manifest whose `timeline` is not after the newest payload or manifest this agent acted on describes
 *    an older world: nothing more is done (`manifest-timeline.ts`).
 * 3. Otherwise compare it with the host (`manifest.ts`) and act: stop what the control plane wants stopped
 *    (through `TaskDelivery`, as a payload would), report STOPPED what the host does not have (through the
 *    durable report queue), and ask the control plane about tasks it did not list
 *    (`stop-verification.ts`).
 *
 * Handled in turn with payloads (one `SerialQueue`), so a manifest sees every earlier payload applied.
 */
import { pino, type Logger } from 'pino';
import type { AgentEnvelope } from '../../acs/messages.js';
import type { TaskIdentifier, TaskManifestMessage } from '../../acs/payload.js';
import type { TaskStateChange } from './contracts.js';
import { planManifest, type MissingKind } from './manifest.js';
import type { ManifestTimeline } from './manifest-timeline.js';
import type { SerialQueue } from './serial.js';
import type { StopVerification } from './stop-verification.js';
import type { TaskDelivery } from './task-delivery.js';

/** The reasons a host gives when it reports STOPPED a listed task it does not run. */
export const MISSING_TASK_REASONS: Readonly<Record<MissingKind, string>> = {
  'no-record':
    'TaskNotFoundOnHost: the container instance has no record of this task (its local state was lost or replaced), so it is not running there',
  finished:
    'TaskNotFoundOnHost: the task already stopped on the container instance and was cleaned up, so it is not running there',
};

export interface ManifestResponderOptions {
  readonly containerInstanceArn: string;
  readonly delivery: TaskDelivery;
  readonly serial: SerialQueue;
  readonly timeline: ManifestTimeline;
  readonly verification: StopVerification;
  /** Queues a report durably (`DurableStateChangeReporter.enqueue`). */
  readonly report: (change: TaskStateChange) => Promise<void>;
  /** A report of the task is still waiting in the queue (`DurableStateChangeReporter.hasPending`). */
  readonly reportQueued: (taskArn: string) => boolean;
  readonly send: (envelope: AgentEnvelope) => boolean;
  readonly log?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
}

export class ManifestResponder {
  readonly #o: ManifestResponderOptions;
  readonly #log: Logger;
  /** Tasks reported STOPPED by a manifest in this process: once is enough, later manifests may lag. */
  readonly #reportedMissing = new Set<string>();

  constructor(options: ManifestResponderOptions) {
    this.#o = options;
    this.#log = options.log ?? pino({ level: 'silent' });
  }

  /** The session's TaskManifestMessage handler: returns at once; handling runs in turn with payloads. */
  handle(message: TaskManifestMessage): void {
    this.#o.serial.run(
      () => this.#handle(message),
      (err) => this.#log.error({ err, messageId: message.messageId }, 'task manifest handling failed'),
    );
  }

  async #handle(m: TaskManifestMessage): Promise<void> {
    const problem = manifestProblem(m, this.#o.containerInstanceArn);
    if (problem !== undefined) {
      this.#log.warn({ messageId: m.messageId, problem }, 'ignored a task manifest');
      return;
    }
    this.#o.send({
      type: 'AckRequest',
      message: { cluster: m.clusterArn, containerInstance: m.containerInstanceArn, messageId: m.messageId },
    });
    if (!this.#o.timeline.isNewer(m.timeline)) {
      this.#log.debug(
        { messageId: m.messageId, timeline: m.timeline, seen: this.#o.timeline.highest },
        'stale task manifest ignored',
      );
      return;
    }
    await this.#o.timeline.advance(m.timeline);
    const plan = planManifest(m.tasks, {
      tasks: this.#o.delivery.knownTasks(),
      finished: (arn) => this.#o.delivery.finished(arn),
      reportQueued: (arn) => this.#o.reportQueued(arn) || this.#reportedMissing.has(arn),
    });
    if (plan.stop.length > 0) {
      const stopped = await this.#o.delivery.stop(plan.stop);
      this.#log.info({ tasks: stopped }, 'task manifest: stopping tasks the control plane wants stopped');
    }
    for (const { task, kind } of plan.missing) await this.#reportMissing(task, kind);
    this.#o.verification.request(m.messageId, plan.stopCandidates);
  }

  async #reportMissing(task: TaskIdentifier, kind: MissingKind): Promise<void> {
    this.#log.warn({ taskArn: task.taskArn, kind }, 'task manifest lists a task this host does not run');
    this.#reportedMissing.add(task.taskArn);
    try {
      await this.#o.report({
        taskArn: task.taskArn,
        clusterArn: task.taskClusterArn,
        status: 'STOPPED',
        reason: MISSING_TASK_REASONS[kind],
        containers: [],
        at: (this.#o.now ?? Date.now)(),
      });
    } catch (err) {
      this.#reportedMissing.delete(task.taskArn);
      this.#log.error(
        { err, taskArn: task.taskArn },
        'could not queue a report; the next manifest tries again',
      );
    }
  }
}

/** What makes a manifest unusable, or undefined. */
export function manifestProblem(m: TaskManifestMessage, containerInstanceArn: string): string | undefined {
  if (typeof m.messageId !== 'string' || m.messageId === '') return 'the manifest has no messageId';
  if (typeof m.clusterArn !== 'string' || m.clusterArn === '') return 'the manifest has no clusterArn';
  if (m.containerInstanceArn !== containerInstanceArn) {
    return `the manifest is for container instance ${String(m.containerInstanceArn)}, not ${containerInstanceArn}`;
  }
  if (typeof m.timeline !== 'number' || !Number.isFinite(m.timeline)) return 'the manifest has no timeline';
  if (!Array.isArray(m.tasks)) return 'the manifest has no task list';
  for (const t of m.tasks as unknown[]) {
    const { taskArn, taskClusterArn, desiredStatus } = (t ?? {}) as Partial<
      Record<keyof TaskIdentifier, unknown>
    >;
    if (typeof taskArn !== 'string' || taskArn === '') return 'a listed task has no taskArn';
    if (typeof taskClusterArn !== 'string' || taskClusterArn === '')
      return `listed task ${taskArn} has no taskClusterArn`;
    if (desiredStatus !== 'RUNNING' && desiredStatus !== 'STOPPED')
      return `listed task ${taskArn} has desiredStatus ${JSON.stringify(desiredStatus)}`;
  }
  return undefined;
}
