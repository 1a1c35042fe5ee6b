/**
 * One task on the host, driven by ONE async loop that alone changes its state (the ECS agent's
 * `managedTask.overseeTask`). Everything that can change the task arrives as an event on its queue:
 *
 *   accept()           -> desired    the control plane's new desired status
 *   Docker event       -> docker     die / destroy / health_status of one of its containers
 *   engine start/reconnect -> resync  look at every container again (what happened while not watching)
 *   finished action    -> result     a pull, create, start, stop or inspect came back
 *   timer              -> wake / cleanup
 *
 * After each event the loop computes every container's next transition (transitions.ts, pure), applies
 * those that need no Docker call, and starts the Docker calls for the others without waiting for them
 * (container-actions.ts); their results come back as events. Then it saves the state (TaskStateStore.save)
 * and only after that reports it (StateChangeReporter), so nothing is reported that a crash could forget.
 *
 * Owners: the control plane owns desired status (the engine only ever moves it to STOPPED itself, when a
 * container fails or an essential one exits); this loop owns known statuses; `applied` (the action in
 * flight per container) lives only here, in memory; the reporter owns what was sent.
 */
import type { Logger } from 'pino';
import type { AcsTask } from '../../acs/payload.js';
import type { KnownStatus } from '../../domain/status.js';
import type { StateChangeReporter, TaskState, TaskStateStore } from '../tasks/contracts.js';
import {
  createAction,
  observeAction,
  pullAction,
  startAction,
  stopAction,
  type ActionDeps,
  type ActionResult,
} from './container-actions.js';
import { runCleanup } from './task-cleanup.js';
import { applyResult } from './action-results.js';
import { containerOf, forward, healthOf, patchContainer } from './container-updates.js';
import type { ContainerSummary } from './docker/docker-client.js';
import { graphProblem, type ContainerView } from './dependencies.js';
import { EventQueue } from './queue.js';
import { reportKey, stateChange, stopTask, withTaskStatus } from './task-status.js';
import { nextTransition, type TaskView } from './transitions.js';

export type TaskEvent =
  | { readonly kind: 'desired'; readonly task: AcsTask }
  | { readonly kind: 'docker'; readonly runtimeId: string; readonly action: string }
  | { readonly kind: 'resync'; readonly found: readonly ContainerSummary[] }
  | {
      readonly kind: 'result';
      readonly container: string;
      readonly result: ActionResult;
      readonly restart: boolean;
    }
  | { readonly kind: 'wake' }
  | { readonly kind: 'cleanup' }
  | { readonly kind: 'shutdown' };

export interface ManagedTaskDeps extends ActionDeps {
  readonly store: TaskStateStore;
  readonly reporter: StateChangeReporter;
  /** Each state once saved (the engine's view for `tasks()`). */
  readonly onState: (state: TaskState) => void;
  /** The loop has ended; `removed` when the task was cleaned up and is gone from the store. */
  readonly onEnd: (taskArn: string, removed: boolean) => void;
}

/** Per container, in memory only: what Docker is doing for it right now. */
interface Runtime {
  applied: KnownStatus | undefined;
  /** An inspect is in flight: no transition until its facts are in. */
  observing: boolean;
  /** A Docker event came while an action was in flight: look again when it is back. */
  recheck: boolean;
  dockerName: string | undefined;
  startedAt: number | undefined;
}

/** Pause before retrying a save or a cleanup that failed (disk full, dockerd down). */
const RETRY_AFTER_FAILURE_MS = 5_000;

export class ManagedTask {
  #state: TaskState;
  #saved: TaskState | undefined;
  #lastReport: string | undefined;
  readonly #deps: ManagedTaskDeps;
  readonly #log: Logger;
  readonly #runtime = new Map<string, Runtime>();
  readonly #queue = new EventQueue<TaskEvent>();
  readonly #abort = new AbortController();
  #cancelWake: (() => void) | undefined;
  #wakeAt: number | undefined;
  #cancelCleanup: (() => void) | undefined;
  readonly done: Promise<void>;

  /** `resumed`: the state came from the store (agent restart), so it is reported once even if unchanged. */
  constructor(state: TaskState, deps: ManagedTaskDeps, initial: readonly TaskEvent[], resumed: boolean) {
    this.#state = state;
    this.#saved = resumed ? state : undefined;
    this.#deps = deps;
    this.#log = deps.log.child({ taskArn: state.task.arn });
    for (const c of state.task.containers) {
      this.#runtime.set(c.name, {
        applied: undefined,
        observing: false,
        recheck: false,
        dockerName: undefined,
        startedAt: undefined,
      });
    }
    this.done = this.#run(initial);
  }

  get arn(): string {
    return this.#state.task.arn;
  }

  get state(): TaskState {
    return this.#state;
  }

  post(event: TaskEvent): void {
    this.#queue.push(event);
  }

  /** Ends the loop, leaving containers as they are (an agent restart must not stop tasks). */
  async shutdown(): Promise<void> {
    this.#queue.push({ kind: 'shutdown' });
    await this.done;
  }

  async #run(initial: readonly TaskEvent[]): Promise<void> {
    let removed = false;
    try {
      // A resumed task first looks at its containers (resync), so no transition is computed from saved
      // state alone: a container created just before a crash must be adopted, not created again.
      for (const event of initial)
        if (event.kind !== 'shutdown' && event.kind !== 'cleanup') this.#handle(event);
      await this.#settle();
      for (;;) {
        const event = await this.#queue.take();
        if (event.kind === 'shutdown') break;
        try {
          if (event.kind === 'cleanup') {
            removed = await this.#cleanup();
            if (removed) break;
            continue;
          }
          this.#handle(event);
        } catch (e) {
          this.#log.error({ err: e, event: event.kind }, 'task engine: handling an event failed');
        }
        await this.#settle();
      }
    } finally {
      this.#abort.abort();
      this.#queue.close();
      this.#cancelWake?.();
      this.#cancelCleanup?.();
      this.#deps.onEnd(this.arn, removed);
    }
  }

  #handle(event: Exclude<TaskEvent, { kind: 'shutdown' | 'cleanup' }>): void {
    switch (event.kind) {
      case 'desired':
        return this.#applyDesired(event.task);
      case 'docker':
        return this.#dockerEvent(event.runtimeId, event.action);
      case 'resync':
        return this.#resync(event.found);
      case 'result':
        return this.#applyResult(event.container, event.result, event.restart);
      case 'wake':
        return;
    }
  }

  #applyDesired(task: AcsTask): void {
    const current = this.#state.task;
    if (task.desiredStatusSeq !== undefined && (current.desiredStatusSeq ?? -1) > task.desiredStatusSeq) {
      this.#log.info(
        { seq: task.desiredStatusSeq, applied: current.desiredStatusSeq },
        'stale desired status dropped',
      );
      return;
    }
    if (current.desiredStatus === 'STOPPED' && task.desiredStatus !== 'STOPPED') {
      this.#log.info('task is already stopping; RUNNING dropped');
      return;
    }
    const stopping = task.desiredStatus === 'STOPPED' && current.desiredStatus !== 'STOPPED';
    this.#state = {
      ...this.#state,
      task: { ...current, desiredStatus: task.desiredStatus, ...seqOf(task), ...reasonOf(task) },
      ...(stopping && task.stoppedReason !== undefined && { stoppedReason: task.stoppedReason }),
    };
  }

  #dockerEvent(runtimeId: string, action: string): void {
    const c = this.#state.containers.find((x) => x.runtimeId === runtimeId);
    if (c === undefined) return;
    if (action.startsWith('health_status')) {
      const health = healthOf(action.slice(action.indexOf(':') + 1).trim());
      if (health !== undefined && c.knownStatus === 'RUNNING') {
        this.#state = patchContainer(this.#state, c.name, { healthStatus: health });
      }
      return;
    }
    const rt = this.#rt(c.name);
    if (rt.applied !== undefined || rt.observing) rt.recheck = true;
    else if (c.knownStatus !== 'STOPPED') this.#observe(c.name, runtimeId);
  }

  /** After a start or a dropped event stream: find unrecorded containers, then look at every one. */
  #resync(found: readonly ContainerSummary[]): void {
    for (const c of this.#state.containers) {
      if (c.knownStatus === 'STOPPED') continue;
      let runtimeId = c.runtimeId;
      if (runtimeId === undefined) {
        // Created just before the agent died, before its id was saved: adopt it instead of creating another.
        const mine = found.filter((s) => s.labels['com.amazonaws.ecs.container-name'] === c.name);
        const newest = [...mine].sort((a, b) => b.createdAt - a.createdAt)[0];
        if (newest === undefined) continue;
        runtimeId = newest.id;
        this.#state = patchContainer(this.#state, c.name, {
          runtimeId,
          knownStatus: forward(c.knownStatus, 'CREATED'),
        });
      }
      const rt = this.#rt(c.name);
      if (rt.applied !== undefined || rt.observing) rt.recheck = true;
      else this.#observe(c.name, runtimeId);
    }
  }

  #applyResult(name: string, result: ActionResult, restart: boolean): void {
    const rt = this.#rt(name);
    if (result.kind === 'observed' || (result.kind === 'failed' && result.step === 'inspect'))
      rt.observing = false;
    else rt.applied = undefined;
    const out = applyResult(this.#state, this.#def(name), result, { restart, now: this.#deps.clock.now() });
    this.#state = out.state;
    if (out.dockerName !== undefined) rt.dockerName = out.dockerName;
    if (out.startedAt !== undefined) rt.startedAt = out.startedAt;
    if (out.recheck === true) rt.recheck = true;
    if (out.note?.level === 'warn') this.#log.warn(out.note.fields, out.note.msg);
    else if (out.note !== undefined) this.#log.info(out.note.fields, out.note.msg);
    if (out.restart !== undefined) {
      rt.applied = 'RUNNING';
      this.#launch(name, startAction(this.#deps, out.restart), true);
      return;
    }
    const after = containerOf(this.#state, name);
    if (
      rt.recheck &&
      rt.applied === undefined &&
      !rt.observing &&
      after.runtimeId !== undefined &&
      after.knownStatus !== 'STOPPED'
    ) {
      rt.recheck = false;
      this.#observe(name, after.runtimeId);
    }
  }

  /** Applies every transition that needs no Docker call and starts the Docker calls for the rest. */
  #progress(): void {
    const now = this.#deps.clock.now();
    if (this.#state.task.desiredStatus === 'RUNNING' && this.#state.knownStatus === 'NONE') {
      const problem = graphProblem(this.#state.task.containers);
      if (problem !== undefined) this.#state = stopTask(this.#state, 'TaskFailedToStart', problem);
    }
    let deadline: number | undefined;
    for (let changed = true; changed;) {
      changed = false;
      deadline = undefined;
      const view = this.#view();
      for (const cv of view.containers) {
        const name = cv.def.name;
        if (this.#rt(name).observing) continue;
        const t = nextTransition(view, cv, now);
        if (t.blockedOn?.deadline !== undefined)
          deadline = Math.min(deadline ?? Infinity, t.blockedOn.deadline);
        if (t.reason !== undefined) {
          this.#state = stopTask(
            patchContainer(this.#state, name, { reason: t.reason }),
            'TaskFailedToStart',
            t.reason,
          );
          changed = true;
          break;
        }
        if (t.next === undefined) continue;
        if (!t.actionRequired) {
          this.#state = patchContainer(this.#state, name, { knownStatus: t.next });
          changed = true;
          break;
        }
        this.#start(name, t.next);
      }
      this.#state = withTaskStatus(this.#state, now);
    }
    this.#scheduleWake(deadline);
  }

  #start(name: string, next: KnownStatus): void {
    const rt = this.#rt(name);
    const c = containerOf(this.#state, name);
    const def = this.#def(name);
    rt.applied = next;
    switch (next) {
      case 'PULLED':
        return this.#launch(name, pullAction(this.#deps, def), false);
      case 'CREATED': {
        const names = new Map<string, string>();
        for (const [n, r] of this.#runtime) if (r.dockerName !== undefined) names.set(n, r.dockerName);
        return this.#launch(name, createAction(this.#deps, this.#state.task, def, names), false);
      }
      case 'RUNNING':
      case 'STOPPED': {
        if (c.runtimeId === undefined) {
          rt.applied = undefined;
          this.#state = patchContainer(this.#state, name, {
            knownStatus: 'STOPPED',
            reason: 'no Docker container was recorded',
          });
          return;
        }
        const stopSeconds = def.stopTimeout ?? Math.ceil(this.#deps.config.containerStopTimeoutMs / 1000);
        const action =
          next === 'RUNNING'
            ? startAction(this.#deps, c.runtimeId)
            : stopAction(this.#deps, c.runtimeId, stopSeconds, this.#abort.signal);
        return this.#launch(name, action, false);
      }
      case 'NONE':
        rt.applied = undefined;
        return;
    }
  }

  #observe(name: string, runtimeId: string): void {
    this.#rt(name).observing = true;
    this.#launch(name, observeAction(this.#deps, runtimeId), false);
  }

  #launch(container: string, action: Promise<ActionResult>, restart: boolean): void {
    void action.then(
      (result) => this.#queue.push({ kind: 'result', container, result, restart }),
      (e: unknown) => this.#log.error({ err: e, container }, 'task engine: an action threw'),
    );
  }

  /** Saves the state if it changed, then reports it if the control plane would see a difference. */
  async #settle(): Promise<void> {
    try {
      this.#progress();
    } catch (e) {
      this.#log.error({ err: e }, 'task engine: computing transitions failed');
    }
    const state = this.#state;
    if (state !== this.#saved) {
      try {
        await this.#deps.store.save(state);
      } catch (e) {
        this.#log.error({ err: e }, 'cannot save task state; trying again');
        this.#scheduleWake(this.#deps.clock.now() + RETRY_AFTER_FAILURE_MS);
        return;
      }
      this.#saved = state;
      this.#deps.onState(state);
    }
    const key = reportKey(state);
    if (key !== this.#lastReport) {
      this.#lastReport = key;
      this.#deps.reporter.report(stateChange(state, this.#deps.clock.now()));
    }
    if (state.knownStatus === 'STOPPED' && this.#cancelCleanup === undefined) {
      const at = (state.executionStoppedAt ?? this.#deps.clock.now()) + this.#deps.config.taskCleanupWaitMs;
      this.#cancelCleanup = this.#deps.clock.after(at - this.#deps.clock.now(), () =>
        this.post({ kind: 'cleanup' }),
      );
    }
  }

  async #cleanup(): Promise<boolean> {
    this.#cancelCleanup = undefined;
    try {
      await runCleanup(this.#deps, this.#state);
      this.#log.info('stopped task cleaned up');
      return true;
    } catch (e) {
      this.#log.warn({ err: e }, 'task cleanup failed; trying again');
      this.#cancelCleanup = this.#deps.clock.after(RETRY_AFTER_FAILURE_MS, () =>
        this.post({ kind: 'cleanup' }),
      );
      return false;
    }
  }

  #scheduleWake(at: number | undefined): void {
    if (
      at === undefined ||
      (this.#wakeAt !== undefined && this.#wakeAt <= at && this.#wakeAt > this.#deps.clock.now())
    ) {
      return;
    }
    this.#cancelWake?.();
    this.#wakeAt = at;
    this.#cancelWake = this.#deps.clock.after(at - this.#deps.clock.now(), () => {
      this.#wakeAt = undefined;
      this.post({ kind: 'wake' });
    });
  }

  #view(): TaskView {
    return {
      desired: this.#state.task.desiredStatus,
      containers: this.#state.task.containers.map((def): ContainerView => {
        const rt = this.#rt(def.name);
        return {
          def,
          state: containerOf(this.#state, def.name),
          ...(rt.applied !== undefined && { applied: rt.applied }),
          ...(rt.startedAt !== undefined && { startedAt: rt.startedAt }),
        };
      }),
    };
  }

  #rt(name: string): Runtime {
    const rt = this.#runtime.get(name);
    if (rt === undefined) throw new Error(`task ${this.arn} has no container ${name}`);
    return rt;
  }

  #def(name: string) {
    const def = this.#state.task.containers.find((d) => d.name === name);
    if (def === undefined) throw new Error(`task ${this.arn} has no container ${name}`);
    return def;
  }
}

function seqOf(task: AcsTask): { desiredStatusSeq?: number } {
  return task.desiredStatusSeq === undefined ? {} : { desiredStatusSeq: task.desiredStatusSeq };
}

function reasonOf(task: AcsTask): { stoppedReason?: string } {
  return task.stoppedReason === undefined ? {} : { stoppedReason: task.stoppedReason };
}
