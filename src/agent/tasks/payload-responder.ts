/**
 * The agent's answer to a PayloadMessage, after ECS's payload responder (`agent/acs/session/payload_responder.go`):
 *
 * 1. Check the payload (it must be for this container instance) and each task in it. An invalid task is not
 *    run: a STOPPED report with an `UnrecognizedTaskError` reason is queued for it (durably), as ECS does.
 * 2. Save every task that is new or whose desired status moved on, durably (`TaskStateStore.save` resolves
 *    once the file is fsynced). A task whose desired status is behind what this agent already applied (a
 *    stale resend: RUNNING after STOPPED) is left alone.
 * 3. Only then acknowledge: AckRequest with the payload's messageId. If anything could not be stored, a
 *    NackRequest says why, and the control plane sends the payload again later.
 * 4. Hand the saved tasks to the engine, those to stop before those to start (`task-delivery.ts`, shared
 *    with the manifest and stop verification, so a task is never started twice).
 * 5. Move the manifest timeline to the payload's `seqNum`: a task manifest made before this payload is stale.
 *
 * Payloads are handled one at a time, in arrival order, together with the other task messages (one
 * `SerialQueue`), so a resend can never overtake the original.
 */
import { pino, type Logger } from 'pino';
import type { AgentEnvelope } from '../../acs/messages.js';
import { DESIRED_TASK_STATUSES, type AcsTask, type PayloadMessage } from '../../acs/payload.js';
import type { TaskEngine, TaskStateChange, TaskStateStore } from './contracts.js';
import { ManifestTimeline } from './manifest-timeline.js';
import { SerialQueue } from './serial.js';
import { TaskDelivery } from './task-delivery.js';

/** The reason ECS's agent reports for a task it cannot understand. */
export const UNRECOGNIZED_TASK_ERROR = 'UnrecognizedTaskError';

export interface PayloadResponderOptions {
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  readonly store: TaskStateStore;
  readonly engine: TaskEngine;
  /** Queues a report durably (`DurableStateChangeReporter.enqueue`). */
  readonly report: (change: TaskStateChange) => Promise<void>;
  /** Sends on the session; false when it is not open (the control plane then resends). */
  readonly send: (envelope: AgentEnvelope) => boolean;
  readonly log?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  /** Shared with the other task messages. @default one of its own, over `store` and `engine` */
  readonly delivery?: TaskDelivery;
  /** @default one of its own */
  readonly serial?: SerialQueue;
  /** Moved to each acknowledged payload's seqNum. @default one of its own */
  readonly timeline?: ManifestTimeline;
}

export class PayloadResponder {
  readonly #o: PayloadResponderOptions;
  readonly #log: Logger;
  readonly #delivery: TaskDelivery;
  readonly #serial: SerialQueue;
  readonly #timeline: ManifestTimeline;

  constructor(options: PayloadResponderOptions) {
    this.#o = options;
    this.#log = options.log ?? pino({ level: 'silent' });
    this.#delivery =
      options.delivery ?? new TaskDelivery({ store: options.store, engine: options.engine, log: this.#log });
    this.#serial = options.serial ?? new SerialQueue();
    this.#timeline = options.timeline ?? new ManifestTimeline();
  }

  /** The session's PayloadMessage handler: returns at once, handling runs in order in the background. */
  handle(message: PayloadMessage): void {
    this.#serial.run(
      () => this.#handle(message),
      (err) => this.#log.error({ err, messageId: message.messageId }, 'payload handling failed'),
    );
  }

  /** Resolves once every payload received so far is handled. */
  idle(): Promise<void> {
    return this.#serial.idle();
  }

  async #handle(message: PayloadMessage): Promise<void> {
    const { messageId } = message;
    const reply = { cluster: message.clusterArn, containerInstance: message.containerInstanceArn, messageId };
    const problem = payloadProblem(message, this.#o.containerInstanceArn);
    if (problem !== undefined) {
      this.#log.warn({ messageId, problem }, 'rejected a payload');
      if (typeof messageId === 'string')
        this.#o.send({ type: 'NackRequest', message: { ...reply, reason: problem } });
      return;
    }
    const failures: string[] = [];
    const accepted: AcsTask[] = [];
    for (const task of message.tasks) {
      const invalid = taskProblem(task);
      try {
        if (invalid !== undefined) await this.#reject(task, invalid, message.clusterArn);
        else if (await this.#delivery.save(task)) accepted.push(task);
      } catch (err) {
        this.#log.error({ err, taskArn: task.arn }, 'could not store a delivered task');
        failures.push(`${String(task.arn)}: ${(err as Error).message}`);
      }
    }
    if (failures.length === 0) this.#o.send({ type: 'AckRequest', message: reply });
    else
      this.#o.send({
        type: 'NackRequest',
        message: { ...reply, reason: `could not store ${failures.join('; ')}` },
      });
    this.#delivery.handOver(accepted);
    // Only a payload this agent holds moves the timeline: one it could not store is sent again.
    if (failures.length === 0 && typeof message.seqNum === 'number')
      await this.#timeline.advance(message.seqNum);
  }

  async #reject(task: AcsTask, problem: string, clusterArn: string): Promise<void> {
    const taskArn = (task as { arn?: unknown }).arn;
    this.#log.warn({ taskArn, problem }, 'delivered task is invalid; reporting it stopped');
    if (typeof taskArn !== 'string' || taskArn === '') return;
    const taskClusterArn = (task as { taskClusterArn?: unknown }).taskClusterArn;
    await this.#o.report({
      taskArn,
      clusterArn: typeof taskClusterArn === 'string' && taskClusterArn !== '' ? taskClusterArn : clusterArn,
      status: 'STOPPED',
      reason: `${UNRECOGNIZED_TASK_ERROR}: ${problem}`,
      containers: [],
      at: (this.#o.now ?? Date.now)(),
    });
  }
}

/** What is wrong with the payload as a whole (ECS rejects one without messageId, cluster or instance). */
export function payloadProblem(m: PayloadMessage, containerInstanceArn: string): string | undefined {
  if (typeof m.messageId !== 'string' || m.messageId === '') return 'the payload has no messageId';
  if (typeof m.clusterArn !== 'string' || m.clusterArn === '') return 'the payload has no clusterArn';
  if (m.containerInstanceArn !== containerInstanceArn) {
    return `the payload is for container instance ${String(m.containerInstanceArn)}, not ${containerInstanceArn}`;
  }
  if (!Array.isArray(m.tasks)) return 'the payload has no task list';
  return undefined;
}

/** What makes a delivered task impossible to run, or undefined when it is well-formed. */
export function taskProblem(task: AcsTask): string | undefined {
  const t = task as Partial<Record<keyof AcsTask, unknown>> | null;
  if (t === null || typeof t !== 'object') return 'the task is not an object';
  for (const member of ['arn', 'taskClusterArn', 'family', 'version'] as const) {
    if (typeof t[member] !== 'string' || t[member] === '') return `the task has no ${member}`;
  }
  if (!(DESIRED_TASK_STATUSES as readonly unknown[]).includes(t.desiredStatus)) {
    return `desiredStatus ${JSON.stringify(t.desiredStatus)} is neither RUNNING nor STOPPED`;
  }
  if (t.desiredStatusSeq !== undefined && !Number.isSafeInteger(t.desiredStatusSeq)) {
    return 'desiredStatusSeq is not an integer';
  }
  if (!Array.isArray(t.containers) || t.containers.length === 0) return 'the task has no containers';
  const names = new Set<string>();
  for (const c of t.containers as unknown[]) {
    const { name, image, essential } = (c ?? {}) as { name?: unknown; image?: unknown; essential?: unknown };
    if (typeof name !== 'string' || name === '') return 'a container has no name';
    if (names.has(name)) return `two containers are named ${name}`;
    names.add(name);
    if (typeof image !== 'string' || image === '') return `container ${name} has no image`;
    if (typeof essential !== 'boolean') return `container ${name} does not say whether it is essential`;
  }
  if (!(t.containers as { essential: boolean }[]).some((c) => c.essential))
    return 'the task has no essential container';
  return undefined;
}
