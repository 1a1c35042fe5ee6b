/**
 * The simulated agent of the reconnect-storm bench (bench/reconnect-storm.ts): one host at the protocol
 * level, with its session socket and the frames it reads and answers (heartbeats, payloads, task manifests,
 * stop verifications), the tasks it runs, its queue of state changes reported with SubmitTaskStateChange,
 * and the marks and counts the bench reads off it per phase.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { RawData, WebSocket } from 'ws';
import { DEFAULT_BACKOFF, ExponentialBackoff } from '../src/agent/session/backoff.js';
import { HANDSHAKE_TIMEOUT_MS, openSessionSocket } from '../src/agent/session/handshake.js';
import { sessionUrl, signSessionRequest } from '../src/agent/session/signing.js';
import type { ContainerState, TaskStateChange } from '../src/agent/tasks/contracts.js';
import { createEcsSubmitter } from '../src/agent/tasks/submit-state-change.js';
import { decodeServerEnvelope, encodeEnvelope } from '../src/acs/codec.js';
import { ACS_PROTOCOL_VERSION } from '../src/acs/messages.js';
import type { AgentEnvelope, ServerEnvelope } from '../src/acs/messages.js';
import type {
  DesiredTaskStatus,
  PayloadMessage,
  TaskIdentifier,
  TaskManifestMessage,
  TaskStopVerificationAck,
} from '../src/acs/payload.js';
import { BERTH_VERSION } from '../src/util/version.js';
import type { Registered } from './sim-agents.js';

export const REGION = 'us-east-1';
/** The one container of every task, and of every stray. */
export const CONTAINER = 'app';
/** The exit code of the container that "exited" while its host was cut off. */
const EXIT_CODE = 1;
const DOCKER_VERSION = '20.10.24';
/** The ECS agent's state-change retry: 1 s growing ×1.3 to 30 s, jitter 0.2 (reference/ecs-api.md). */
const REPORT_BACKOFF = { minMs: 1_000, maxMs: 30_000, multiplier: 1.3, jitter: 0.2 };

/** How the sessions are lost (`--drop`): cut TCP connections, or a dead uplink left to the session timeout. */
export type DropMode = 'close' | 'silence';

/** Waits `ms`, or less if `signal` aborts; never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal === undefined ? {} : { signal }).catch(() => undefined);
}

/** An error's message, or whatever was thrown as text. */
export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A task as the simulated host knows it. */
interface SimTask {
  readonly arn: string;
  readonly clusterArn: string;
  readonly containers: readonly { readonly name: string; readonly runtimeId: string }[];
  status: 'RUNNING' | 'STOPPED';
  desired: DesiredTaskStatus;
  readonly startedAt: number;
  /** False for a stray: a task the control plane has no record of (so nothing is reported about it). */
  readonly known: boolean;
}

/** When (performance.now()) each step of the current phase happened for one agent. */
export interface Marks {
  opened?: number;
  /** A fresh manifest arrived and was acknowledged. */
  manifest?: number;
  /** The control plane answered the stop verification. */
  verified?: number;
  /** The last queued state change was acknowledged. */
  reported?: number;
  reconciled?: number;
}

export interface Counts {
  connectFailures: number;
  unexpectedCloses: number;
  payloads: number;
  manifests: number;
  staleManifests: number;
  verificationsSent: number;
  verificationAcks: number;
  /** Stray tasks a TaskStopVerificationAck told the agent to stop. */
  straysStopped: number;
  reportsAcked: number;
  reportFailures: number;
  ignoredFrames: number;
  serverErrors: number;
}

export const zeroCounts = (): Counts => ({
  connectFailures: 0,
  unexpectedCloses: 0,
  payloads: 0,
  manifests: 0,
  staleManifests: 0,
  verificationsSent: 0,
  verificationAcks: 0,
  straysStopped: 0,
  reportsAcked: 0,
  reportFailures: 0,
  ignoredFrames: 0,
  serverErrors: 0,
});

/**
 * One simulated host at the protocol level: its session (opened with the agent's own handshake code, but
 * with no reconnect backoff of its own between phases, so that the bench decides when the fleet drops and
 * returns), its tasks, and its queue of state changes, sent in order and retried as the agent's reporter
 * does. Why not `AgentSession`: it cannot lose its link without stopping for good, and it does not hand
 * manifests to its user; the storm needs both.
 */
export class SimAgent {
  readonly reg: Registered;
  readonly tasks = new Map<string, SimTask>();
  marks: Marks = {};
  readonly counts: Counts = zeroCounts();
  lastConnectError: string | undefined;
  lastReportError: string | undefined;
  lastServerError: string | undefined;
  lastIgnoredFrame: string | undefined;
  readonly #apiUrl: string;
  readonly #signal: AbortSignal;
  #ws: WebSocket | undefined;
  /** Keep a session open: reconnect if it closes. */
  #want = false;
  /** The uplink is dead: read nothing, answer nothing, send nothing. */
  #silent = false;
  #connecting: Promise<void> | undefined;
  /** The agent asks for task credentials on the first session of its process, as `AgentSession` does. */
  #sendCredentials = true;
  /** The highest payload `seqNum` or manifest `timeline` seen: a manifest not above it is stale. */
  #latestSeq = 0;
  readonly #queue: TaskStateChange[] = [];
  #flushing: Promise<void> | undefined;
  /** The messageId of the manifest whose stop verification awaits its ack. */
  #verifying: string | undefined;

  constructor(reg: Registered, apiUrl: string, signal: AbortSignal) {
    this.reg = reg;
    this.#apiUrl = apiUrl;
    this.#signal = signal;
  }

  get open(): boolean {
    return this.#ws !== undefined && !this.#silent;
  }

  get closed(): boolean {
    return this.#ws === undefined;
  }

  /** Every queued state change was acknowledged. */
  get reportsSettled(): boolean {
    return this.#queue.length === 0 && this.#flushing === undefined;
  }

  get verifying(): boolean {
    return this.#verifying !== undefined;
  }

  get queued(): number {
    return this.#queue.length;
  }

  runningTasks(): SimTask[] {
    return [...this.tasks.values()].filter((t) => t.status === 'RUNNING');
  }

  /** Starts a new phase's marks. */
  beginPhase(): void {
    this.marks = {};
  }

  /** Opens a session, retrying with the agent's backoff, until it is open or the run is aborted. */
  up(): Promise<void> {
    this.#want = true;
    this.#silent = false;
    this.#connecting ??= this.#connect().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  /** Loses the session: `close` cuts the TCP connection; `silence` leaves it to the control plane's timeout. */
  down(mode: DropMode): void {
    this.#want = false;
    if (mode === 'close') this.#ws?.terminate();
    else this.#silent = true;
  }

  /** Closes for good at the end of the run. */
  stop(): void {
    this.#want = false;
    this.#ws?.terminate();
  }

  /** While cut off: the first running task's container exits; the change waits for the link to return. */
  recordExit(): void {
    const task = this.runningTasks().find((t) => t.known);
    if (task === undefined) return;
    task.status = 'STOPPED';
    const at = Date.now();
    this.#queue.push({
      taskArn: task.arn,
      clusterArn: task.clusterArn,
      status: 'STOPPED',
      containers: task.containers.map((c): ContainerState => ({
        name: c.name,
        runtimeId: c.runtimeId,
        knownStatus: 'STOPPED',
        exitCode: EXIT_CODE,
      })),
      startedAt: task.startedAt,
      executionStoppedAt: at,
      at,
    });
  }

  /** Tasks this host runs that the control plane has no record of. */
  addStrays(n: number): void {
    for (let i = 0; i < n; i++) {
      const arn = `${this.reg.clusterArn.replace(':cluster/', ':task/')}/${randomBytes(16).toString('hex')}`;
      this.tasks.set(arn, {
        arn,
        clusterArn: this.reg.clusterArn,
        containers: [{ name: CONTAINER, runtimeId: randomBytes(32).toString('hex') }],
        status: 'RUNNING',
        desired: 'RUNNING',
        startedAt: Date.now(),
        known: false,
      });
    }
  }

  async #connect(): Promise<void> {
    const backoff = new ExponentialBackoff(DEFAULT_BACKOFF);
    while (this.#want && this.#ws === undefined && !this.#signal.aborted) {
      try {
        const credentials = await this.reg.credentials.get();
        const url = sessionUrl(this.reg.endpoint, {
          clusterArn: this.reg.clusterArn,
          containerInstanceArn: this.reg.containerInstanceArn,
          agentVersion: BERTH_VERSION,
          dockerVersion: DOCKER_VERSION,
          seqNum: 1,
          protocolVersion: ACS_PROTOCOL_VERSION,
          sendCredentials: this.#sendCredentials,
        });
        const headers = await signSessionRequest({
          url,
          region: REGION,
          credentials,
          signingDate: new Date(),
        });
        this.#attach(await openSessionSocket(url, headers, HANDSHAKE_TIMEOUT_MS, this.#signal));
        this.#sendCredentials = false;
        return;
      } catch (e) {
        if (this.#signal.aborted) return;
        this.counts.connectFailures += 1;
        this.lastConnectError = errorText(e);
        await sleep(backoff.next(), this.#signal);
      }
    }
  }

  #onFrame(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (ws !== this.#ws || this.#silent || isBinary) return;
    const decoded = decodeServerEnvelope(rawText(data));
    if (decoded.ok) this.#receive(decoded.envelope);
    else {
      this.counts.ignoredFrames += 1;
      this.lastIgnoredFrame = decoded.error;
    }
  }

  /** Takes an open (paused) socket as the session and starts reading it. */
  #attach(ws: WebSocket): void {
    this.#ws = ws;
    this.marks.opened ??= performance.now();
    ws.on('message', (data: RawData, isBinary: boolean) => this.#onFrame(ws, data, isBinary));
    ws.on('error', () => undefined);
    ws.once('close', () => {
      if (this.#ws === ws) this.#ws = undefined;
      this.#verifying = undefined;
      if (this.#want && !this.#silent && !this.#signal.aborted) {
        this.counts.unexpectedCloses += 1;
        void this.up();
      }
    });
    // `openSessionSocket` hands the socket over paused, so that nothing sent with the handshake is lost.
    ws.resume();
    // The link is back: what happened meanwhile goes out now.
    this.#flush();
    this.#check();
  }

  #send(envelope: AgentEnvelope): void {
    const ws = this.#ws;
    if (ws === undefined || this.#silent || ws.readyState !== ws.OPEN) return;
    ws.send(encodeEnvelope(envelope), () => undefined);
  }

  #receive(envelope: ServerEnvelope): void {
    switch (envelope.type) {
      case 'HeartbeatMessage':
        this.#send({ type: 'HeartbeatAckRequest', message: { messageId: envelope.message.messageId } });
        return;
      case 'PayloadMessage':
        this.#onPayload(envelope.message);
        return;
      case 'TaskManifestMessage':
        this.#onManifest(envelope.message);
        return;
      case 'TaskStopVerificationAck':
        this.#onVerificationAck(envelope.message);
        return;
      case 'CloseMessage':
        return;
      default:
        this.counts.serverErrors += 1;
        this.lastServerError = `${envelope.type}: ${envelope.message.message}`;
    }
  }

  /** Stores the tasks (here: in memory), acknowledges, then "runs" them and reports, as the agent does. */
  #onPayload(m: PayloadMessage): void {
    this.counts.payloads += 1;
    if (typeof m.seqNum === 'number') this.#latestSeq = Math.max(this.#latestSeq, m.seqNum);
    const started: SimTask[] = [];
    const stopped: SimTask[] = [];
    for (const t of m.tasks) {
      const have = this.tasks.get(t.arn);
      if (have === undefined) {
        if (t.desiredStatus !== 'RUNNING') continue;
        const task: SimTask = {
          arn: t.arn,
          clusterArn: t.taskClusterArn,
          containers: t.containers.map((c) => ({ name: c.name, runtimeId: randomBytes(32).toString('hex') })),
          status: 'RUNNING',
          desired: 'RUNNING',
          startedAt: Date.now(),
          known: true,
        };
        this.tasks.set(t.arn, task);
        started.push(task);
      } else {
        have.desired = t.desiredStatus;
        if (t.desiredStatus === 'STOPPED' && have.status === 'RUNNING') {
          have.status = 'STOPPED';
          stopped.push(have);
        }
      }
    }
    this.#send({
      type: 'AckRequest',
      message: { cluster: m.clusterArn, containerInstance: m.containerInstanceArn, messageId: m.messageId },
    });
    for (const task of stopped) this.#reportStopped(task, 'Task stopped by the control plane');
    for (const task of started) {
      this.#queue.push({
        taskArn: task.arn,
        clusterArn: task.clusterArn,
        status: 'RUNNING',
        containers: task.containers.map((c): ContainerState => ({
          name: c.name,
          runtimeId: c.runtimeId,
          knownStatus: 'RUNNING',
        })),
        pullStartedAt: task.startedAt,
        pullStoppedAt: task.startedAt,
        startedAt: task.startedAt,
        at: task.startedAt,
      });
    }
    this.#flush();
  }

  /**
   * As ECS's agent (task_manifest_responder.go): a manifest not newer than what is known is discarded;
   * otherwise it is acknowledged, and the running tasks it does not list as RUNNING are sent as stop
   * candidates, to be stopped only if the control plane confirms.
   */
  #onManifest(m: TaskManifestMessage): void {
    this.counts.manifests += 1;
    if (!(typeof m.timeline === 'number' && m.timeline > this.#latestSeq)) {
      this.counts.staleManifests += 1;
      return;
    }
    this.#latestSeq = m.timeline;
    this.#send({
      type: 'AckRequest',
      message: { cluster: m.clusterArn, containerInstance: m.containerInstanceArn, messageId: m.messageId },
    });
    const wanted = new Set(m.tasks.filter((t) => t.desiredStatus === 'RUNNING').map((t) => t.taskArn));
    const candidates: TaskIdentifier[] = this.runningTasks()
      .filter((t) => !wanted.has(t.arn))
      .map((t) => ({ taskArn: t.arn, taskClusterArn: t.clusterArn, desiredStatus: 'STOPPED' }));
    this.marks.manifest ??= performance.now();
    if (candidates.length > 0) {
      this.#verifying = m.messageId;
      this.counts.verificationsSent += 1;
      this.#send({
        type: 'TaskStopVerificationMessage',
        message: { messageId: m.messageId, stopCandidates: candidates },
      });
    }
    this.#check();
  }

  #onVerificationAck(m: TaskStopVerificationAck): void {
    if (m.messageId !== this.#verifying) return;
    this.#verifying = undefined;
    this.counts.verificationAcks += 1;
    this.marks.verified ??= performance.now();
    for (const t of m.stopTasks) {
      const task = this.tasks.get(t.taskArn);
      if (task?.status !== 'RUNNING') continue;
      task.status = 'STOPPED';
      if (task.known) this.#reportStopped(task, 'Stopped after stop verification');
      else this.counts.straysStopped += 1;
    }
    this.#flush();
    this.#check();
  }

  #reportStopped(task: SimTask, reason: string): void {
    const at = Date.now();
    this.#queue.push({
      taskArn: task.arn,
      clusterArn: task.clusterArn,
      status: 'STOPPED',
      reason,
      containers: task.containers.map((c): ContainerState => ({
        name: c.name,
        runtimeId: c.runtimeId,
        knownStatus: 'STOPPED',
        exitCode: 143,
      })),
      startedAt: task.startedAt,
      executionStoppedAt: at,
      at,
    });
  }

  /** Sends the queued state changes in order while the link is up, each retried until acknowledged. */
  #flush(): void {
    if (this.#flushing !== undefined || this.#queue.length === 0 || !this.open) return;
    this.#flushing = this.#drain().finally(() => {
      this.#flushing = undefined;
      this.#check();
      this.#flush();
    });
  }

  async #drain(): Promise<void> {
    // A client per burst, not per agent: a thousand idle SDK clients would be memory for nothing.
    const submitter = createEcsSubmitter({
      endpoint: this.#apiUrl,
      region: REGION,
      credentials: this.reg.credentials.provider,
    });
    const backoff = new ExponentialBackoff(REPORT_BACKOFF);
    try {
      while (this.#queue.length > 0 && this.open && !this.#signal.aborted) {
        try {
          await submitter.submit(this.#queue[0]!, this.#signal);
          this.#queue.shift();
          this.counts.reportsAcked += 1;
          if (this.#queue.length === 0) this.marks.reported = performance.now();
          backoff.reset();
        } catch (e) {
          if (this.#signal.aborted) return;
          this.counts.reportFailures += 1;
          this.lastReportError = errorText(e);
          await sleep(backoff.next(), this.#signal);
        }
      }
    } finally {
      submitter.destroy();
    }
  }

  /** Marks the agent reconciled the first time everything the storm asks for holds. */
  #check(): void {
    if (
      this.marks.reconciled === undefined &&
      this.open &&
      this.marks.manifest !== undefined &&
      this.#verifying === undefined &&
      this.reportsSettled
    ) {
      this.marks.reconciled = performance.now();
    }
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(new Uint8Array(data)).toString('utf8');
}
