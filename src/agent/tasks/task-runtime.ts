/**
 * The agent's task parts, composed: the durable task state, the durable report queue, the task engine and
 * the payload responder that feeds it. The agent builds one after registration and hands the session its
 * `onPayload`; tests build one with a fake engine.
 *
 * Start-up order matters: the saved tasks are loaded and the report queue is started (it knows the next free
 * report number only once it has read what the last run left) before the engine exists, so the engine can
 * resume the saved tasks and report at once; the responder comes last, so no payload is handled before the
 * engine knows the saved tasks (it compares a delivery with what was already applied).
 *
 * The session's task messages — payloads, task manifests, stop verification answers — are handled in turn
 * on one queue, and all reach the engine through one `TaskDelivery`, so each sees what the previous left.
 */
import { pino, type Logger } from 'pino';
import type { AgentEnvelope } from '../../acs/messages.js';
import type {
  AcsContainer,
  AcsTask,
  PayloadMessage,
  TaskManifestMessage,
  TaskStopVerificationAck,
} from '../../acs/payload.js';
import type { StateChangeReporter, TaskEngine, TaskState, TaskStateStore } from './contracts.js';
import { ManifestResponder } from './manifest-responder.js';
import { ManifestTimeline } from './manifest-timeline.js';
import { PayloadResponder } from './payload-responder.js';
import { DurableStateChangeReporter } from './reporter.js';
import { SerialQueue } from './serial.js';
import { FileTaskStateStore } from './state-store.js';
import { StopVerification } from './stop-verification.js';
import type { SubmitStateChange } from './submit-state-change.js';
import { TaskDelivery } from './task-delivery.js';
import type { BackoffSettings } from '../session/backoff.js';

export interface TaskEngineDeps {
  readonly store: TaskStateStore;
  readonly reporter: StateChangeReporter;
  /** The tasks saved by the last run, to resume (find their containers, finish their transitions). */
  readonly restored: readonly TaskState[];
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  readonly log: Logger;
  /** Variables the agent adds to every container (the task metadata endpoint's URLs). */
  readonly agentEnvironment?: (task: AcsTask, container: AcsContainer) => Readonly<Record<string, string>>;
}

/** Builds the task engine (the Docker one in production, a fake in tests). */
export type TaskEngineFactory = (deps: TaskEngineDeps) => TaskEngine | Promise<TaskEngine>;

export interface TaskRuntimeOptions {
  readonly dataDir: string;
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  readonly submit: SubmitStateChange;
  readonly engine: TaskEngineFactory;
  readonly log?: Logger;
  /** Report retries. @default REPORT_BACKOFF (1 s to 30 s, ×1.3, jitter 0.2) */
  readonly reportBackoff?: Partial<BackoffSettings>;
  /** Passed on to the engine factory. */
  readonly agentEnvironment?: TaskEngineDeps['agentEnvironment'];
  /** The newest payload seqNum / manifest timeline the last run acted on. @default 0 */
  readonly manifestSeqNum?: number;
  /** Saves a newer one durably, so a restarted agent still ignores stale manifests. @default not saved */
  readonly persistManifestSeqNum?: (seq: number) => void | Promise<void>;
}

export interface TaskRuntime {
  readonly store: FileTaskStateStore;
  readonly reporter: DurableStateChangeReporter;
  readonly engine: TaskEngine;
  readonly responder: PayloadResponder;
  readonly timeline: ManifestTimeline;
  /** The session's handlers (properties, so they can be passed on as they are). */
  readonly onPayload: (message: PayloadMessage) => void;
  readonly onTaskManifest: (message: TaskManifestMessage) => void;
  readonly onTaskStopVerificationAck: (message: TaskStopVerificationAck) => void;
  /** Where acks go: the session's `send`. Until set, replies are dropped (the control plane resends). */
  attach(send: (envelope: AgentEnvelope) => boolean): void;
  /** Finishes the payloads in hand and stops reporting; the queue stays on disk for the next run. */
  stop(): Promise<void>;
}

export async function startTaskRuntime(o: TaskRuntimeOptions): Promise<TaskRuntime> {
  const log = o.log ?? pino({ level: 'silent' });
  const store = new FileTaskStateStore(o.dataDir, log.child({ component: 'task-state' }));
  const restored = await store.loadAll();
  const reporter = new DurableStateChangeReporter({
    dataDir: o.dataDir,
    submit: o.submit,
    log: log.child({ component: 'reporter' }),
    ...(o.reportBackoff !== undefined && { backoff: o.reportBackoff }),
  });
  await reporter.start();
  const engine = await o.engine({
    store,
    reporter,
    restored,
    clusterArn: o.clusterArn,
    containerInstanceArn: o.containerInstanceArn,
    // The engine binds its own `component` (task-engine); a second binding would repeat the key.
    log,
    ...(o.agentEnvironment !== undefined && { agentEnvironment: o.agentEnvironment }),
  });
  let send: (envelope: AgentEnvelope) => boolean = () => false;
  const serial = new SerialQueue();
  const delivery = new TaskDelivery({
    store,
    engine,
    finished: store.finished,
    log: log.child({ component: 'delivery' }),
  });
  const timeline = new ManifestTimeline({
    ...(o.manifestSeqNum !== undefined && { initial: o.manifestSeqNum }),
    ...(o.persistManifestSeqNum !== undefined && { persist: o.persistManifestSeqNum }),
    log,
  });
  const responder = new PayloadResponder({
    clusterArn: o.clusterArn,
    containerInstanceArn: o.containerInstanceArn,
    store,
    engine,
    report: (change) => reporter.enqueue(change),
    send: (envelope) => send(envelope),
    log: log.child({ component: 'payloads' }),
    delivery,
    serial,
    timeline,
  });
  const verification = new StopVerification({
    delivery,
    serial,
    send: (envelope) => send(envelope),
    log: log.child({ component: 'stop-verification' }),
  });
  const manifests = new ManifestResponder({
    containerInstanceArn: o.containerInstanceArn,
    delivery,
    serial,
    timeline,
    verification,
    report: (change) => reporter.enqueue(change),
    reportQueued: (arn) => reporter.hasPending(arn),
    send: (envelope) => send(envelope),
    log: log.child({ component: 'manifests' }),
  });
  if (restored.length > 0) log.info({ tasks: restored.length }, 'task state loaded from the last run');
  return {
    store,
    reporter,
    engine,
    responder,
    timeline,
    onPayload: (message) => responder.handle(message),
    onTaskManifest: (message) => manifests.handle(message),
    onTaskStopVerificationAck: (message) => verification.handle(message),
    attach(next) {
      send = next;
    },
    async stop() {
      await serial.idle();
      await reporter.stop();
    },
  };
}
