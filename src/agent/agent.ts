/**
 * The `berth agent` process: it joins the host to a cluster and keeps it connected, following the ECS
 * agent's start-up (`agent/app/agent.go`): identity → credentials → RegisterContainerInstance (with the
 * saved ARN after a restart) → DiscoverPollEndpoint → session.
 *
 * States (one setter, `#setState`, logs and announces every transition):
 *
 *   STARTING → REGISTERING → CONNECTING → RUNNING → STOPPING → STOPPED
 *       └───────────┴────────────┴──────────┴──→ STOPPING (stop(), or a failure only a person can fix)
 *
 * - STARTING: options are checked, the introspection API listens, the host is measured.
 * - REGISTERING: the managed instance (first start: with the activation) and the container instance. A host
 *   that registered before (its saved state names its container instance in this cluster) starts its task
 *   runtime first, from what it saved: the engine resumes its tasks (restart reconciliation, restart
 *   policies) and the report queue waits for the control plane, however long it stays out of reach, while
 *   registration, endpoint discovery and the session keep trying. A first-time host has nothing to run and
 *   registers first.
 * - CONNECTING: the session endpoint is discovered and the session opens.
 * - RUNNING: the session has connected once; later reconnects are the session's own business (its state
 *   shows in /v1/health), the agent stays RUNNING.
 *
 * Transient failures while starting (control plane unreachable, a missing cluster) are retried with the
 * session's backoff; failures only a person can fix end the process with an exit code (see EXIT_CODES).
 * Deregistration while running ends the session with InactiveInstanceException: the agent then stays alive
 * in the session's hour-long backoff, as ECS's does, instead of exiting and being restarted in a loop.
 */
import { EventEmitter } from 'node:events';
import { DiscoverPollEndpointCommand, ECSClient } from '@aws-sdk/client-ecs';
import { pino, type Logger } from 'pino';
import { BERTH_VERSION } from '../util/version.js';
import type { AgentConfig } from './config.js';
import { clusterArnOf, registerContainerInstance } from './container-instance.js';
import { CredentialRenewal } from './credential-renewal.js';
import {
  collectHostFacts,
  ensureIdentity,
  InstanceCredentials,
  InstanceCredentialsRefusedError,
  type AgentIdentity,
} from './identity/index.js';
import { readHostResources, totalResources } from './instance-facts.js';
import { startIntrospection, type IntrospectionServer, type IntrospectionView } from './introspection.js';
import { startMetadataService, type MetadataService } from './metadata/metadata-service.js';
import { DEFAULT_BACKOFF, ExponentialBackoff, type BackoffSettings } from './session/backoff.js';
import { connectSession, IllegalStateError, type AgentSession } from './session/agent-session.js';
import type { SessionError } from './session/reconnect-policy.js';
import { classifyStartupError, EXIT_CODES, refusalAdvice } from './startup-errors.js';
import {
  readAgentState,
  readManifestSeqNum,
  reusableArn,
  writeAgentState,
  writeManifestSeqNum,
} from './state.js';
import { stopTaskEngine } from './engine/agent-engine.js';
import { createEcsSubmitter } from './tasks/submit-state-change.js';
import { startTaskRuntime, type TaskEngineFactory, type TaskRuntime } from './tasks/task-runtime.js';
import { readAgentHash, readDockerVersion } from './version-info.js';
import type { LogShipping, LogShippingFactory } from './logs/index.js';

export const AGENT_STATES = [
  'STARTING',
  'REGISTERING',
  'CONNECTING',
  'RUNNING',
  'STOPPING',
  'STOPPED',
] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** Attempts per ECS call (the SDK's standard retry, for blips); the start-up loop retries beyond that. */
export const ECS_MAX_ATTEMPTS = 3;
/** Per ECS request: generous for a control plane under load, short enough that a dead link is noticed. */
export const ECS_REQUEST_TIMEOUT_MS = 30_000;
export const ECS_CONNECT_TIMEOUT_MS = 10_000;
/**
 * After a credential refusal while the session is up, how long to wait for the session to report
 * InactiveInstanceException (the control plane sends both on deregistration, in either order on the wire)
 * before treating the refusal as terminal. The control plane closes a session within 2 s of deciding to.
 */
export const REFUSAL_VERDICT_GRACE_MS = 5_000;

export interface AgentExit {
  readonly code: number;
  /** Why, for the person reading stderr; absent after a normal stop. */
  readonly message?: string;
}

export interface AgentDeps {
  /** @default pino at the configured level, activation code redacted */
  readonly log?: Logger;
  /** @default /proc/meminfo */
  readonly meminfoFile?: string;
  /** Start-up retries. @default the session's: 250 ms to 2 min, ×1.5, jitter 0.2 */
  readonly backoff?: Partial<BackoffSettings>;
  /**
   * Builds the task engine (Docker's in production; a fake in tests). Without one the agent runs no tasks:
   * payloads stay unacknowledged and the control plane keeps them for an agent that can.
   */
  readonly taskEngine?: TaskEngineFactory;
  /** Starts the awslogs capture and shipping (with the task engine); without one, awslogs lines stay local. */
  readonly logShipping?: LogShippingFactory;
}

/** Thrown inside the start-up when stop() interrupts it. */
class Stopped extends Error {}

export class Agent extends EventEmitter<{ state: [state: AgentState, previous: AgentState] }> {
  readonly #c: AgentConfig;
  readonly #log: Logger;
  readonly #deps: AgentDeps;
  readonly #abort = new AbortController();
  readonly #done: Promise<AgentExit>;
  #resolveDone!: (exit: AgentExit) => void;
  #state: AgentState = 'STARTING';
  #started = false;
  #stopping: Promise<AgentExit> | undefined;
  #exit: AgentExit = { code: EXIT_CODES.stopped };
  #run: Promise<void> | undefined;
  #introspection: IntrospectionServer | undefined;
  #metadata: MetadataService | undefined;
  #identity: AgentIdentity | undefined;
  #creds: InstanceCredentials | undefined;
  #ecs: ECSClient | undefined;
  #renewal: CredentialRenewal | undefined;
  #session: AgentSession | undefined;
  #tasks: TaskRuntime | undefined;
  #submitter: { destroy(): void } | undefined;
  #logs: LogShipping | undefined;
  #containerInstanceArn: string | undefined;
  /** The session was told the instance is deregistered; credential refusals are expected from then on. */
  #inactive = false;
  #refusalTimer: NodeJS.Timeout | undefined;
  #refusalSeenWhileInactive = false;

  constructor(config: AgentConfig, deps: AgentDeps = {}) {
    super();
    this.#c = config;
    this.#deps = deps;
    this.#log =
      deps.log ??
      pino({ name: 'berth-agent', level: config.logLevel, redact: ['activationCode', '*.activationCode'] });
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  get state(): AgentState {
    return this.#state;
  }

  /** Resolves once the agent has stopped, with the process's exit code. */
  get done(): Promise<AgentExit> {
    return this.#done;
  }

  /** The introspection API's port, once it listens. */
  get introspectionPort(): number | undefined {
    return this.#introspection?.port;
  }

  start(): void {
    if (this.#started) throw new IllegalStateError('the agent was started already');
    this.#started = true;
    this.#run = this.#startUp();
  }

  /** Closes the session cleanly and releases everything; resolves with the exit code. */
  stop(): Promise<AgentExit> {
    this.#stopping ??= this.#shutDown();
    return this.#stopping;
  }

  #setState(next: AgentState): void {
    const previous = this.#state;
    if (previous === next || previous === 'STOPPED') return;
    this.#state = next;
    this.#log.info({ from: previous, to: next }, 'agent state');
    this.emit('state', next, previous);
  }

  /** Ends the agent with `code`; the first failure wins. */
  #fail(code: number, message: string): void {
    if (this.#stopping !== undefined) return;
    this.#log.fatal({ exitCode: code }, message);
    this.#exit = { code, message };
    void this.stop();
  }

  async #startUp(): Promise<void> {
    const c = this.#c;
    try {
      this.#log.info(
        {
          version: BERTH_VERSION,
          endpoint: c.endpoint,
          cluster: c.cluster,
          dataDir: c.dataDir,
          configFile: c.configFile,
          reservedMemoryMiB: c.reservedMemoryMiB,
          reservedPorts: c.reservedPorts,
          reservedUdpPorts: c.reservedUdpPorts,
          introspection: c.introspection ?? 'off',
          metadata: c.metadata ?? 'off',
          activation: c.activationId ?? 'none given',
        },
        'berth agent starting',
      );
      if (c.introspection !== undefined) {
        this.#introspection = await startIntrospection(c.introspection, () => this.#view());
        this.#log.info({ port: this.#introspection.port }, 'introspection API listening');
      }
      const host = readHostResources(this.#deps.meminfoFile);
      const resources = totalResources(host, c);
      const dockerVersion = readDockerVersion(c.docker);

      this.#setState('REGISTERING');
      const { identity, registered } = await this.#retrying('register this host', () =>
        ensureIdentity({
          dataDir: c.dataDir,
          endpoint: c.endpoint,
          ...(c.activationId !== undefined && { activationId: c.activationId }),
          ...(c.activationCode !== undefined && { activationCode: c.activationCode }),
          host: collectHostFacts(),
          signal: this.#abort.signal,
        }),
      );
      this.#identity = identity;
      this.#log.info(
        { instanceId: identity.instanceId, registered },
        registered ? 'host registered' : 'host identity loaded',
      );
      const creds = new InstanceCredentials({
        endpoint: c.endpoint,
        identity,
        onError: (err) => this.#onCredentialError(err),
      });
      this.#creds = creds;
      const ecs = new ECSClient({
        endpoint: c.endpoint,
        region: identity.region,
        credentials: creds.provider,
        maxAttempts: ECS_MAX_ATTEMPTS,
        customUserAgent: `berth-agent/${BERTH_VERSION}`,
        requestHandler: { requestTimeout: ECS_REQUEST_TIMEOUT_MS, connectionTimeout: ECS_CONNECT_TIMEOUT_MS },
      });
      this.#ecs = ecs;

      // Its tasks must not wait for the control plane: a restarted host may be cut off for hours.
      const savedArn = reusableArn(readAgentState(c.dataDir), c.clusterName, identity.instanceId);
      if (savedArn !== undefined) {
        this.#containerInstanceArn = savedArn;
        await this.#startTasks(creds, identity, savedArn);
        this.#log.info(
          { containerInstanceArn: savedArn },
          'tasks resumed from the saved state; registering with the control plane meanwhile',
        );
      }

      const docker = await dockerVersion;
      const agentHash = readAgentHash();
      const instance = await this.#retrying('register the container instance', () =>
        registerContainerInstance(ecs, {
          config: c,
          ec2InstanceId: identity.instanceId,
          resources,
          cpuArchitecture: host.cpuArchitecture,
          dockerVersion: docker,
          agentHash,
          log: this.#log,
          signal: this.#abort.signal,
        }),
      );
      const arn = instance.containerInstanceArn;
      writeAgentState(c.dataDir, {
        cluster: c.clusterName,
        containerInstanceArn: arn,
        ec2InstanceId: identity.instanceId,
      });
      if (savedArn !== undefined && arn !== savedArn) {
        // The running task runtime answers for the saved instance only; a restart starts it for the new one.
        this.#fail(
          EXIT_CODES.failed,
          `The control plane answered with container instance ${arn} instead of the saved ${savedArn}; ` +
            'the agent exits to start again as the new one.',
        );
        return;
      }
      this.#containerInstanceArn = arn;
      this.#log.info(
        { containerInstanceArn: arn, ec2InstanceId: instance.ec2InstanceId },
        'container instance registered',
      );

      this.#setState('CONNECTING');
      const poll = await this.#retrying('discover the session endpoint', () =>
        ecs.send(new DiscoverPollEndpointCommand({ cluster: c.cluster, containerInstance: arn }), {
          abortSignal: this.#abort.signal,
        }),
      );
      this.#renewal = new CredentialRenewal(creds, { onError: (err) => this.#onCredentialError(err) });
      // The link may drop again right here; that is no reason to give up.
      this.#renewal.start(await this.#retrying('get credentials', () => creds.get()));
      if (this.#tasks === undefined) await this.#startTasks(creds, identity, arn);
      this.#openSession(poll.endpoint ?? c.endpoint, identity, arn, docker, agentHash);
    } catch (e) {
      if (e instanceof Stopped || this.#stopping !== undefined) return;
      const verdict = classifyStartupError(e, c);
      if (verdict.kind === 'exit') this.#fail(verdict.code, verdict.message);
      else {
        this.#log.error({ err: e }, 'agent failed to start');
        this.#fail(EXIT_CODES.failed, `the agent failed to start: ${verdict.message}`);
      }
    }
  }

  #openSession(
    endpoint: string,
    identity: AgentIdentity,
    arn: string,
    dockerVersion: string | undefined,
    agentHash: string | undefined,
  ): void {
    const creds = this.#creds;
    if (creds === undefined || this.#stopping !== undefined) return;
    const session = connectSession({
      endpoint,
      region: identity.region,
      clusterArn: clusterArnOf(arn) ?? this.#c.cluster,
      containerInstanceArn: arn,
      agentVersion: BERTH_VERSION,
      ...(agentHash !== undefined && { agentHash }),
      ...(dockerVersion !== undefined && { dockerVersion }),
      credentials: creds.provider,
      log: this.#log.child({ component: 'session' }),
      ...(this.#tasks !== undefined && {
        onPayload: this.#tasks.onPayload,
        onTaskManifest: this.#tasks.onTaskManifest,
        onTaskStopVerificationAck: this.#tasks.onTaskStopVerificationAck,
      }),
    });
    this.#session = session;
    this.#tasks?.attach((envelope) => session.send(envelope));
    session.on('connected', () => {
      if (this.#state === 'CONNECTING') this.#setState('RUNNING');
    });
    session.on('unretriable', (error, retryInMs) => this.#onUnretriable(error, retryInMs));
    session.on('connectFailed', (cause) => {
      if (cause instanceof InstanceCredentialsRefusedError) this.#onCredentialError(cause);
    });
    session.on('state', (state) => {
      if (state === 'STOPPED' && this.#stopping === undefined)
        this.#fail(EXIT_CODES.failed, 'the session stopped unexpectedly');
    });
  }

  /**
   * The durable task state, the report queue, the engine and the session's task responders. Needs no
   * control plane: reports wait in the queue, and the credentials they are signed with are fetched when sent.
   */
  async #startTasks(creds: InstanceCredentials, identity: AgentIdentity, arn: string): Promise<void> {
    const engine = this.#deps.taskEngine;
    if (engine === undefined) {
      this.#log.warn('no task engine: task payloads are left unacknowledged');
      return;
    }
    const submitter = createEcsSubmitter({
      endpoint: this.#c.endpoint,
      region: identity.region,
      credentials: creds.provider,
    });
    this.#submitter = submitter;
    // Before the engine: containers get the endpoint's address in their environment when created.
    if (this.#c.metadata !== undefined) {
      this.#metadata = await startMetadataService({
        listen: this.#c.metadata,
        dataDir: this.#c.dataDir,
        docker: this.#c.docker,
        tasks: () => this.#tasks?.engine.tasks() ?? new Map(),
        log: this.#log,
      });
    }
    this.#tasks = await startTaskRuntime({
      dataDir: this.#c.dataDir,
      clusterArn: clusterArnOf(arn) ?? this.#c.cluster,
      containerInstanceArn: arn,
      submit: submitter.submit,
      engine,
      log: this.#log,
      ...(this.#metadata !== undefined && { agentEnvironment: this.#metadata.environmentFor }),
      manifestSeqNum: await readManifestSeqNum(this.#c.dataDir, arn),
      persistManifestSeqNum: (seq) => writeManifestSeqNum(this.#c.dataDir, arn, seq),
    });
    this.#logs = this.#deps.logShipping?.({
      sender: identity.instanceId,
      region: identity.region,
      endpoint: this.#c.endpoint,
      credentials: creds.provider,
      log: this.#log,
    });
  }

  #onUnretriable(error: SessionError, retryInMs: number): void {
    if (error.type !== 'InactiveInstanceException') return;
    this.#inactive = true;
    clearTimeout(this.#refusalTimer);
    this.#log.error(
      { retryInMs },
      `The control plane reports this container instance as inactive: ${error.message} The agent waits ` +
        `${Math.round(retryInMs / 60_000)} min before asking again. To rejoin the cluster, remove ` +
        `${this.#c.dataDir}/identity.json and ${this.#c.dataDir}/state.json and start the agent with a new activation.`,
    );
  }

  #onCredentialError(err: unknown): void {
    if (!(err instanceof InstanceCredentialsRefusedError)) {
      this.#log.warn({ err }, 'could not renew the credentials; the current ones stay in use while valid');
      return;
    }
    if (this.#inactive) {
      if (!this.#refusalSeenWhileInactive) {
        this.#refusalSeenWhileInactive = true;
        this.#log.info(
          { reason: err.reason },
          'the control plane refuses the credentials too, as it does for a deregistered instance; still waiting',
        );
      }
      return;
    }
    if (this.#stopping !== undefined || this.#refusalTimer !== undefined) return;
    // Before the session exists, the start-up step that needed the credentials reports the refusal itself.
    if (this.#session === undefined) return;
    this.#log.warn(
      { reason: err.reason },
      'credentials refused; waiting for the session to say whether the instance is inactive',
    );
    this.#refusalTimer = setTimeout(() => {
      if (!this.#inactive) this.#fail(EXIT_CODES.refused, refusalAdvice(err, this.#c.dataDir));
    }, REFUSAL_VERDICT_GRACE_MS);
  }

  /** Runs a start-up step until it succeeds, retrying what may pass; throws what only a person can fix. */
  async #retrying<T>(what: string, step: () => Promise<T>): Promise<T> {
    const backoff = new ExponentialBackoff({ ...DEFAULT_BACKOFF, ...this.#deps.backoff });
    for (;;) {
      if (this.#abort.signal.aborted) throw new Stopped();
      try {
        return await step();
      } catch (e) {
        if (this.#abort.signal.aborted) throw new Stopped();
        const verdict = classifyStartupError(e, this.#c);
        if (verdict.kind === 'exit') throw e;
        const delayMs = backoff.next();
        this.#log.warn({ delayMs }, `could not ${what}: ${verdict.message} Retrying.`);
        await sleep(delayMs, this.#abort.signal);
      }
    }
  }

  async #shutDown(): Promise<AgentExit> {
    this.#setState('STOPPING');
    this.#abort.abort();
    // Ends credential retries at once: a start-up step waiting for credentials from an unreachable control
    // plane would otherwise hold the stop for their whole backoff (about a minute).
    this.#creds?.close();
    clearTimeout(this.#refusalTimer);
    await this.#run;
    this.#renewal?.stop();
    await this.#session?.stop();
    await this.#tasks?.stop();
    await this.#logs?.stop();
    // Ends the engine's loops; its containers keep running for the next start to find.
    await stopTaskEngine(this.#tasks?.engine);
    this.#submitter?.destroy();
    this.#creds?.close();
    this.#ecs?.destroy();
    await this.#metadata?.close();
    await this.#introspection?.close();
    this.#setState('STOPPED');
    this.#resolveDone(this.#exit);
    return this.#exit;
  }

  #view(): IntrospectionView {
    return {
      cluster: this.#c.cluster,
      containerInstanceArn: this.#containerInstanceArn,
      version: `Berth Agent v${BERTH_VERSION}`,
      state: this.#state,
      sessionState: this.#session?.state,
      managedInstanceId: this.#identity?.instanceId,
      healthy: this.#state === 'RUNNING',
    };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
