/**
 * The task engine on Docker: one ManagedTask (one loop) per task, fed by `accept()` and by dockerd's event
 * stream, which is routed to tasks by the container's task-arn label.
 *
 * `start()` is the ECS agent's `synchronizeState` after a restart: load every saved task, subscribe to
 * Docker events first (so nothing that happens meanwhile is missed), list the containers carrying Berth's
 * labels, and resume each task's loop with a resync: it adopts containers created but not yet recorded
 * when the agent died, inspects every container it knows and learns what happened while nobody watched
 * (still running: kept as is, never restarted or recreated; exited: its exit code and the essential-exit
 * rule apply; gone: STOPPED with a reason), and reports its state once.
 *
 * Orphans (containers with this agent's owner label whose task the store does not know, e.g. left by a
 * cleanup interrupted after the state was removed) are removed once they have been stopped for longer
 * than the task cleanup wait; running ones are only logged, never killed: the agent does not stop what it
 * cannot account for.
 *
 * `stop()` ends the loops and the event stream and leaves every container as it is: restarting the agent
 * must not stop tasks.
 */
import type { Logger } from 'pino';
import type { AcsContainer, AcsTask } from '../../acs/payload.js';
import type { StateChangeReporter, TaskEngine, TaskState, TaskStateStore } from '../tasks/contracts.js';
import { systemClock, type EngineClock } from './clock.js';
import { initialState } from './container-updates.js';
import type { ContainerSummary, DockerClient, DockerEvent, HostFacts } from './docker/docker-client.js';
import type { EngineConfig } from './engine-config.js';
import { EventFeed } from './event-feed.js';
import { cleanupImages } from './image-cleanup.js';
import { ImageTracker } from './image-tracker.js';
import { OWNER_LABEL, TASK_ARN_LABEL } from './labels.js';
import { ManagedTask, type ManagedTaskDeps, type TaskEvent } from './managed-task.js';

export interface TaskEngineDeps {
  readonly docker: DockerClient;
  readonly store: TaskStateStore;
  readonly reporter: StateChangeReporter;
  readonly config: EngineConfig;
  readonly log: Logger;
  readonly clock?: EngineClock;
  /** Variables the agent adds to every container (e.g. the task metadata endpoint's address). */
  readonly agentEnvironment?: (task: AcsTask, container: AcsContainer) => Readonly<Record<string, string>>;
}

export interface RunningTaskEngine extends TaskEngine {
  /**
   * Restart reconciliation, then normal operation. Resolves after the first attempt: when Docker cannot be
   * reached, it is tried again in the background, and tasks accepted meanwhile wait for it.
   */
  start(): Promise<void>;
  /** Ends every task's loop without touching its containers. */
  stop(): Promise<void>;
}

/** Docker events that can change a task: an exit, a removal, a health check verdict. */
const INTERESTING_EVENTS = /^(die|destroy|oom|health_status)/;
/** Pauses between attempts to reach Docker at start-up: soon at first, then every half minute. */
export const RECONCILE_RETRY_MIN_MS = 1_000;
export const RECONCILE_RETRY_MAX_MS = 30_000;
/** Docker's plugin lists change only when an operator installs one; re-read them now and then. */
const HOST_FACTS_TTL_MS = 60_000;

export function createTaskEngine(deps: TaskEngineDeps): RunningTaskEngine {
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ component: 'task-engine' });
  const images = new ImageTracker();
  const managed = new Map<string, ManagedTask>();
  const states = new Map<string, TaskState>();
  const pending: AcsTask[] = [];
  let phase: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  let feed: EventFeed | undefined;
  let cancelImageCleanup: (() => void) | undefined;
  let hostFacts: { facts: HostFacts; at: number } | undefined;

  const taskDeps: ManagedTaskDeps = {
    docker: deps.docker,
    store: deps.store,
    reporter: deps.reporter,
    config: deps.config,
    clock,
    log,
    images,
    ...(deps.agentEnvironment !== undefined && { agentEnvironment: deps.agentEnvironment }),
    async hostFacts() {
      if (hostFacts === undefined || clock.now() - hostFacts.at > HOST_FACTS_TTL_MS) {
        hostFacts = { facts: await deps.docker.hostFacts(), at: clock.now() };
      }
      return hostFacts.facts;
    },
    onState: (state) => {
      if (managed.has(state.task.arn)) states.set(state.task.arn, state);
    },
    onEnd: (arn, removed) => {
      managed.delete(arn);
      if (removed) states.delete(arn);
    },
  };

  const manage = (state: TaskState, initial: readonly TaskEvent[], resumed: boolean) => {
    for (const c of state.task.containers) images.markUsed(c.image, clock.now());
    const task = new ManagedTask(state, taskDeps, initial, resumed);
    managed.set(task.arn, task);
    states.set(task.arn, task.state);
  };

  const accept = (task: AcsTask) => {
    const existing = managed.get(task.arn);
    if (existing !== undefined) existing.post({ kind: 'desired', task });
    else manage(initialState(task), [], false);
  };

  const route = (event: DockerEvent) => {
    if (!INTERESTING_EVENTS.test(event.action)) return;
    const arn = event.attributes[TASK_ARN_LABEL];
    if (arn !== undefined)
      managed.get(arn)?.post({ kind: 'docker', runtimeId: event.id, action: event.action });
  };

  const resyncAll = async () => {
    try {
      const found = await deps.docker.listContainers([TASK_ARN_LABEL]);
      for (const task of managed.values()) task.post({ kind: 'resync', found: ofTask(found, task.arn) });
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'cannot list containers after the event stream came back');
    }
  };

  const removeOrphans = async (found: readonly ContainerSummary[], known: ReadonlySet<string>) => {
    for (const c of found) {
      const arn = c.labels[TASK_ARN_LABEL];
      if (arn === undefined || known.has(arn) || c.labels[OWNER_LABEL] !== deps.config.ownerId) continue;
      try {
        const facts = await deps.docker.inspectContainer(c.id);
        if (facts === undefined) continue;
        if (facts.running) {
          log.warn(
            { containerId: c.id, taskArn: arn },
            'running container of a task this agent does not know; left alone',
          );
          continue;
        }
        const stoppedAt = facts.finishedAt ?? c.createdAt;
        if (clock.now() - stoppedAt >= deps.config.taskCleanupWaitMs) {
          await deps.docker.removeContainer(c.id);
          log.info(
            { containerId: c.id, taskArn: arn },
            'removed a stopped container of a task this agent does not know',
          );
        }
      } catch (e) {
        log.warn({ containerId: c.id, err: (e as Error).message }, 'cannot check an unknown container');
      }
    }
  };

  /**
   * Resumes the saved tasks once Docker answers. Until it does (dockerd still starting after a reboot, or
   * down), nothing touches the tasks: they are listed, deliveries wait in `pending`, and the attempt is
   * repeated with a growing pause, as the ECS agent waits for Docker before it syncs.
   */
  let reconcileFailures = 0;
  let cancelReconcile: (() => void) | undefined;
  const reconcile = async (): Promise<void> => {
    let saved: TaskState[];
    let found: ContainerSummary[];
    try {
      saved = await deps.store.loadAll();
      found = await deps.docker.listContainers([TASK_ARN_LABEL]);
    } catch (e) {
      const delay = Math.min(RECONCILE_RETRY_MAX_MS, RECONCILE_RETRY_MIN_MS * 2 ** reconcileFailures++);
      log.warn(
        { err: (e as Error).message, retryInMs: delay },
        'cannot reach Docker to resume tasks; trying again',
      );
      cancelReconcile = clock.after(delay, () => void reconcile());
      return;
    }
    if (phase !== 'starting') return;
    for (const state of saved) {
      manage(
        initialState(state.task, state),
        [{ kind: 'resync', found: ofTask(found, state.task.arn) }],
        true,
      );
    }
    log.info({ tasks: saved.length, containers: found.length }, 'task engine resumed saved tasks');
    phase = 'running';
    for (const task of pending.splice(0)) accept(task);
    await removeOrphans(found, new Set(saved.map((s) => s.task.arn)));
    scheduleImageCleanup();
  };

  const scheduleImageCleanup = () => {
    const config = deps.config.imageCleanup;
    if (config === undefined || phase !== 'running') return;
    cancelImageCleanup = clock.after(config.intervalMs, () => {
      cleanupImages({ docker: deps.docker, images, clock, log, config })
        .catch((e: unknown) => log.warn({ err: (e as Error).message }, 'image cleanup failed'))
        .finally(scheduleImageCleanup);
    });
  };

  return {
    accept(task) {
      if (phase === 'new' || phase === 'starting') pending.push(task);
      else if (phase === 'running') accept(task);
      else log.warn({ taskArn: task.arn }, 'task engine is stopped; task not accepted');
    },

    tasks() {
      return states;
    },

    async start() {
      if (phase !== 'new') throw new Error(`task engine cannot start: it is ${phase}`);
      phase = 'starting';
      feed = new EventFeed({
        docker: deps.docker,
        labels: [TASK_ARN_LABEL],
        clock,
        log,
        onEvent: route,
        onReconnect: () => void resyncAll(),
      });
      feed.open();
      // Listed at once, so the payload responder compares deliveries with what this host already has even
      // while Docker is still out of reach.
      for (const state of await deps.store.loadAll()) states.set(state.task.arn, state);
      await reconcile();
    },

    async stop() {
      phase = 'stopped';
      feed?.close();
      cancelImageCleanup?.();
      cancelReconcile?.();
      await Promise.all([...managed.values()].map((t) => t.shutdown()));
    },
  };
}

function ofTask(found: readonly ContainerSummary[], arn: string): ContainerSummary[] {
  return found.filter((c) => c.labels[TASK_ARN_LABEL] === arn);
}
