/**
 * Task delivery, the control plane's end: each agent gets its tasks in PayloadMessages, and gets them again
 * until it acknowledges them; and it gets task manifests, which settle what it runs against what the
 * control plane wants (`task-manifest.ts`, `stop-verification.ts`).
 *
 * What is owed: a task placed on the instance whose desired status (RUNNING, then perhaps STOPPED) is ahead of
 * the desired status its agent acknowledged (`ackedDesiredStatus` in the task record, written when the
 * AckRequest arrives). The store is the only truth: a restarted control plane finds every unacknowledged task
 * there and sends it again when the agent's session opens.
 *
 * When it is sent: when a session opens, when the change bus says the instance's tasks changed (RunTask,
 * StartTask, StopTask), and every `resendIntervalMs` while something sent is still unacknowledged. A task
 * sent less than `resendIntervalMs` ago is not sent again in between. At most MAX_TASKS_PER_PAYLOAD tasks
 * travel in one payload, as in ECS.
 *
 * Task manifests go out at the end of a pass, after the payloads it sent, when the session has just opened
 * and every `manifestIntervalMs` (MANIFEST_INTERVAL_MS) while it lasts. A manifest's `timeline` and the
 * payloads' `seqNum` come from one counter per instance, so the agent can tell which is newer. The agent
 * acknowledges a manifest with AckRequest (told apart from a payload's by its messageId) and may ask which of
 * the tasks it runs unlisted to stop (TaskStopVerificationMessage), answered with TaskStopVerificationAck.
 *
 * Concurrency: one delivery pass per instance at a time; a trigger during a pass runs one more pass after it.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TaskRecord } from '../../../domain/task-record.js';
import { MANIFEST_INTERVAL_MS, type AckRequest, type NackRequest } from '../../../acs/messages.js';
import type {
  AcsTask,
  DesiredTaskStatus,
  TaskIdentifier,
  TaskStopVerificationMessage,
} from '../../../acs/payload.js';
import { DESIRED_STATUS_SEQ, toAcsTask } from '../../../acs/to-acs-task.js';
import { taskDefinitionByArn } from '../../lookup/task-definition-by-arn.js';
import type { Store } from '../../store/types.js';
import { systemClock, type Clock, type Timer } from '../../../util/clock.js';
import type { SessionListener } from '../gateway.js';
import type { Session } from '../session.js';
import { createDeliveryMetrics, type DeliveryMetrics } from './metrics.js';
import { answerStopVerification } from './stop-verification.js';
import { manifestEntry, sendTaskManifest, SentManifests } from './task-manifest.js';

/**
 * 10 s: an ack normally comes within milliseconds, so a payload unacknowledged after ten seconds was lost
 * with a dropped connection or refused (NackRequest); resending sooner would only duplicate payloads an agent
 * on a slow disk is still storing.
 */
export const DEFAULT_PAYLOAD_RESEND_INTERVAL_MS = 10_000;
/** ECS sends at most ten tasks per PayloadMessage; RunTask places at most ten at once. */
export const MAX_TASKS_PER_PAYLOAD = 10;
/** Payloads unacknowledged for this long are forgotten (their tasks have been resent since). */
const PENDING_TTL_MS = 10 * 60_000;
/** Task definitions never change (only their status does), so a small cache saves most lookups. */
const DEFINITION_CACHE_SIZE = 256;
const PAGE_SIZE = 100;

export interface DeliveryOptions {
  readonly store: Store;
  readonly log: Logger;
  readonly registry: Registry;
  /** @default DEFAULT_PAYLOAD_RESEND_INTERVAL_MS */
  readonly resendIntervalMs?: number;
  /** Between task manifests of a connected agent. @default MANIFEST_INTERVAL_MS */
  readonly manifestIntervalMs?: number;
  /** Resend and manifest timers, payload times. @default the system clock */
  readonly clock?: Clock;
}

export interface DeliveryEvents {
  /** A payload was sent (tests, tools). */
  sent: [containerInstanceArn: string, messageId: string, taskArns: readonly string[]];
  /** An AckRequest arrived for a payload, before it is recorded. */
  ackReceived: [containerInstanceArn: string, messageId: string, taskArns: readonly string[]];
  /** The acknowledged desired statuses are stored. */
  acked: [containerInstanceArn: string, taskArns: readonly string[]];
  /** A task manifest was sent. */
  manifestSent: [containerInstanceArn: string, messageId: string, timeline: number];
  /** The agent acknowledged a task manifest. */
  manifestAcked: [containerInstanceArn: string, messageId: string];
  /** A stop verification was answered; `stopTasks` are the tasks the agent was told to stop. */
  stopVerified: [containerInstanceArn: string, messageId: string, stopTasks: readonly string[]];
}

interface Sent {
  readonly desired: DesiredTaskStatus;
  readonly at: number;
}

interface Pending {
  readonly containerInstanceArn: string;
  readonly tasks: readonly { readonly arn: string; readonly desired: DesiredTaskStatus }[];
  /** On the clock, as every time that decides what to (re)send. */
  readonly at: number;
  /** performance.now(), for the ack-time histogram alone: a real round trip even on a test's clock. */
  readonly sentAt: number;
}

interface Instance {
  readonly session: Session;
  /** Tasks sent and not yet acknowledged. */
  readonly sent: Map<string, Sent>;
  readonly timer: Timer;
  readonly manifestTimer: Timer;
  pass: Promise<void> | undefined;
  again: boolean;
  /** A task manifest is to go out at the end of the next pass. */
  manifestDue: boolean;
}

export class TaskDelivery extends EventEmitter<DeliveryEvents> implements SessionListener {
  readonly #o: DeliveryOptions;
  readonly #clock: Clock;
  readonly #resendMs: number;
  readonly #manifestMs: number;
  readonly #metrics: DeliveryMetrics;
  readonly #instances = new Map<string, Instance>();
  readonly #pending = new Map<string, Pending>();
  readonly #manifests = new SentManifests();
  /**
   * Payload `seqNum`s and manifest `timeline`s: one counter per instance, monotonic across sessions (and,
   * being clock-based, restarts).
   */
  readonly #seq = new Map<string, number>();
  readonly #definitions = new Map<string, TaskDefinition>();
  readonly #work = new Set<Promise<void>>();

  constructor(options: DeliveryOptions) {
    super();
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#resendMs = options.resendIntervalMs ?? DEFAULT_PAYLOAD_RESEND_INTERVAL_MS;
    this.#manifestMs = options.manifestIntervalMs ?? MANIFEST_INTERVAL_MS;
    this.#metrics = createDeliveryMetrics(options.registry);
  }

  opened(session: Session): void {
    const arn = session.containerInstanceArn;
    const previous = this.#instances.get(arn);
    if (previous) this.#stopTimers(previous);
    const timer = this.#clock
      .setInterval(() => {
        if (this.#instances.get(arn)?.sent.size) this.kick(arn);
      }, this.#resendMs)
      .unref();
    const manifestTimer = this.#clock
      .setInterval(() => {
        const instance = this.#instances.get(arn);
        if (instance === undefined) return;
        instance.manifestDue = true;
        this.kick(arn);
      }, this.#manifestMs)
      .unref();
    // What was sent on the previous session may never have arrived: everything owed goes out again now,
    // then the manifest settles what the agent did meanwhile.
    this.#instances.set(arn, {
      session,
      sent: new Map(),
      timer,
      manifestTimer,
      pass: undefined,
      again: false,
      manifestDue: true,
    });
    this.kick(arn);
  }

  closed(session: Session): void {
    const instance = this.#instances.get(session.containerInstanceArn);
    if (instance?.session !== session) return;
    this.#stopTimers(instance);
    this.#instances.delete(session.containerInstanceArn);
  }

  /** Sends the instance's agent what it is owed, if it has a session here. */
  kick(containerInstanceArn: string): void {
    const instance = this.#instances.get(containerInstanceArn);
    if (instance === undefined) return;
    if (instance.pass !== undefined) {
      instance.again = true;
      return;
    }
    const pass = this.#pass(instance)
      .catch((err: unknown) => this.#o.log.error({ err, containerInstanceArn }, 'task delivery failed'))
      .finally(() => {
        instance.pass = undefined;
        if (instance.again && this.#instances.get(containerInstanceArn) === instance) {
          instance.again = false;
          this.kick(containerInstanceArn);
        }
      });
    instance.pass = pass;
    this.#track(pass);
  }

  ack(session: Session, message: AckRequest): void {
    const manifest = this.#manifests.answer(message.messageId, session.containerInstanceArn);
    if (manifest === 'mine') this.emit('manifestAcked', session.containerInstanceArn, message.messageId);
    if (manifest !== 'none') return;
    const pending = this.#pending.get(message.messageId);
    if (pending === undefined || pending.containerInstanceArn !== session.containerInstanceArn) {
      this.#o.log.debug({ messageId: message.messageId }, 'ack for no payload awaiting one');
      return;
    }
    this.#pending.delete(message.messageId);
    this.#metrics.ackSeconds.observe((performance.now() - pending.sentAt) / 1000);
    const taskArns = pending.tasks.map((t) => t.arn);
    this.emit('ackReceived', pending.containerInstanceArn, message.messageId, taskArns);
    this.#track(
      this.#recordAcks(pending).catch((err: unknown) =>
        this.#o.log.error({ err, messageId: message.messageId }, 'could not record a payload ack'),
      ),
    );
  }

  nack(session: Session, message: NackRequest): void {
    const manifest = this.#manifests.answer(message.messageId, session.containerInstanceArn);
    // The next manifest (at the latest in one interval) tries again.
    if (manifest === 'mine')
      this.#o.log.warn({ messageId: message.messageId, reason: message.reason }, 'agent refused a manifest');
    if (manifest !== 'none') return;
    // The tasks stay owed: the resend timer sends them again.
    const pending = this.#pending.get(message.messageId);
    if (pending?.containerInstanceArn !== session.containerInstanceArn) return;
    this.#pending.delete(message.messageId);
    this.#o.log.warn(
      { messageId: message.messageId, reason: message.reason, taskArns: pending.tasks.map((t) => t.arn) },
      'agent could not store delivered tasks; they will be sent again',
    );
  }

  /**
   * Answers the agent's question which of the tasks it runs unlisted by the manifest to stop (ACS's
   * TaskStopVerificationMessage) with TaskStopVerificationAck (`stop-verification.ts`).
   */
  stopVerification(session: Session, message: TaskStopVerificationMessage): void {
    const work = answerStopVerification(this.#o.store, session, message).then((stopTasks) => {
      if (stopTasks !== undefined) this.#stopVerified(session, message.messageId, stopTasks);
    });
    this.#track(
      work.catch((err: unknown) =>
        // Unanswered, the agent keeps running its candidates until a later manifest asks again.
        this.#o.log.error({ err, messageId: message.messageId }, 'could not answer a stop verification'),
      ),
    );
  }

  /** Stops the timers and waits for passes and ack writes in progress (call before closing the store). */
  async stop(): Promise<void> {
    for (const instance of this.#instances.values()) this.#stopTimers(instance);
    this.#instances.clear();
    while (this.#work.size > 0) await Promise.all(this.#work);
  }

  async #pass(instance: Instance): Promise<void> {
    const { session } = instance;
    const arn = session.containerInstanceArn;
    const now = this.#clock.now();
    this.#forgetStalePending(now);
    const owed: TaskRecord[] = [];
    const listed = new Set<string>();
    const manifest: TaskIdentifier[] = [];
    for await (const task of this.#tasksOf(session.clusterArn, arn)) {
      const taskArn = task.taskArn;
      listed.add(taskArn);
      const entry = manifestEntry(task);
      if (entry !== undefined) manifest.push(entry);
      const desired = task.desiredStatus;
      const acked = task.ackedDesiredStatus;
      if (
        task.lastStatus === 'STOPPED' ||
        (acked !== undefined && DESIRED_STATUS_SEQ[acked] >= DESIRED_STATUS_SEQ[desired])
      ) {
        instance.sent.delete(taskArn);
        continue;
      }
      const sent = instance.sent.get(taskArn);
      if (sent?.desired === desired && now - sent.at < this.#resendMs) continue;
      owed.push(task);
    }
    for (const taskArn of instance.sent.keys()) if (!listed.has(taskArn)) instance.sent.delete(taskArn);
    for (let i = 0; i < owed.length; i += MAX_TASKS_PER_PAYLOAD) {
      const batch: { task: TaskRecord; acs: AcsTask }[] = [];
      for (const task of owed.slice(i, i + MAX_TASKS_PER_PAYLOAD)) {
        const acs = await this.#translate(task);
        if (acs !== undefined) batch.push({ task, acs });
      }
      if (batch.length === 0) continue;
      if (!session.isOpen || this.#instances.get(arn) !== instance) return;
      this.#send(instance, batch);
    }
    if (instance.manifestDue && session.isOpen && this.#instances.get(arn) === instance) {
      instance.manifestDue = false;
      this.#sendManifest(instance, manifest);
    }
  }

  #sendManifest(instance: Instance, tasks: readonly TaskIdentifier[]): void {
    const arn = instance.session.containerInstanceArn;
    const { messageId, timeline } = sendTaskManifest(instance.session, tasks, this.#nextSeq(arn));
    this.#manifests.add(messageId, arn, this.#clock.now());
    this.#metrics.manifestsSent.inc();
    this.emit('manifestSent', arn, messageId, timeline);
  }

  #stopVerified(session: Session, messageId: string, stopTasks: readonly TaskIdentifier[]): void {
    const arn = session.containerInstanceArn;
    this.#metrics.tasksToldToStop.inc(stopTasks.length);
    if (stopTasks.length > 0)
      this.#o.log.info(
        { containerInstanceArn: arn, taskArns: stopTasks.map((t) => t.taskArn) },
        'told an agent to stop tasks the control plane does not want running there',
      );
    this.emit(
      'stopVerified',
      arn,
      messageId,
      stopTasks.map((t) => t.taskArn),
    );
  }

  #nextSeq(containerInstanceArn: string): number {
    const seq = Math.max((this.#seq.get(containerInstanceArn) ?? 0) + 1, this.#clock.now());
    this.#seq.set(containerInstanceArn, seq);
    return seq;
  }

  #send(instance: Instance, batch: readonly { task: TaskRecord; acs: AcsTask }[]): void {
    const { session } = instance;
    const arn = session.containerInstanceArn;
    const messageId = randomUUID();
    const seqNum = this.#nextSeq(arn);
    const at = this.#clock.now();
    const sentAt = performance.now();
    session.send({
      type: 'PayloadMessage',
      message: {
        messageId,
        clusterArn: session.clusterArn,
        containerInstanceArn: arn,
        tasks: batch.map((b) => b.acs),
        generatedAt: this.#clock.now(),
        seqNum,
      },
    });
    const tasks = batch.map((b) => ({ arn: b.acs.arn, desired: b.acs.desiredStatus }));
    this.#pending.set(messageId, { containerInstanceArn: arn, tasks, at, sentAt });
    for (const t of tasks) instance.sent.set(t.arn, { desired: t.desired, at });
    this.#metrics.payloadsSent.inc();
    this.emit(
      'sent',
      arn,
      messageId,
      tasks.map((t) => t.arn),
    );
  }

  async #recordAcks(pending: Pending): Promise<void> {
    const recorded: string[] = [];
    await this.#o.store.transaction(async (tx) => {
      for (const { arn, desired } of pending.tasks) {
        const task = await tx.tasks.get(arn);
        if (task === undefined) continue;
        const acked = task.ackedDesiredStatus;
        if (acked === undefined || DESIRED_STATUS_SEQ[acked] < DESIRED_STATUS_SEQ[desired]) {
          await tx.tasks.put({ ...task, ackedDesiredStatus: desired });
        }
        recorded.push(arn);
      }
    });
    const instance = this.#instances.get(pending.containerInstanceArn);
    for (const { arn, desired } of pending.tasks) {
      const sent = instance?.sent.get(arn);
      if (sent !== undefined && DESIRED_STATUS_SEQ[sent.desired] <= DESIRED_STATUS_SEQ[desired])
        instance?.sent.delete(arn);
    }
    this.emit('acked', pending.containerInstanceArn, recorded);
  }

  async #translate(task: TaskRecord): Promise<AcsTask | undefined> {
    const definition = await this.#definition(task.taskDefinitionArn);
    if (definition === undefined) {
      this.#o.log.error(
        { taskArn: task.taskArn, taskDefinitionArn: task.taskDefinitionArn },
        'task definition of a task to deliver not found; not sending the task',
      );
      return undefined;
    }
    try {
      return toAcsTask(task, definition);
    } catch (err) {
      this.#o.log.error({ err, taskArn: task.taskArn }, 'cannot deliver a task');
      return undefined;
    }
  }

  async #definition(arn: string): Promise<TaskDefinition | undefined> {
    const cached = this.#definitions.get(arn);
    if (cached !== undefined) return cached;
    const definition = await taskDefinitionByArn(this.#o.store.taskDefinitions, arn);
    if (definition === undefined) return undefined;
    if (this.#definitions.size >= DEFINITION_CACHE_SIZE) {
      const oldest = this.#definitions.keys().next().value;
      if (oldest !== undefined) this.#definitions.delete(oldest);
    }
    this.#definitions.set(arn, definition);
    return definition;
  }

  async *#tasksOf(clusterArn: string, containerInstanceArn: string): AsyncGenerator<TaskRecord> {
    let after: string | undefined;
    do {
      const page = await this.#o.store.tasks.list(
        { clusterArn, containerInstanceArn, lastStatusNot: 'STOPPED' },
        { limit: PAGE_SIZE, ...(after !== undefined && { after }) },
      );
      yield* page.items;
      after = page.nextKey;
    } while (after !== undefined);
  }

  #forgetStalePending(now: number): void {
    for (const [messageId, pending] of this.#pending) {
      if (now - pending.at > PENDING_TTL_MS) this.#pending.delete(messageId);
    }
    this.#manifests.forgetOlderThan(now - PENDING_TTL_MS);
  }

  #stopTimers(instance: Instance): void {
    this.#clock.clearInterval(instance.timer);
    this.#clock.clearInterval(instance.manifestTimer);
  }

  #track(work: Promise<void>): void {
    this.#work.add(work);
    void work.finally(() => this.#work.delete(work));
  }
}
