/**
 * What a finished Docker action, or a look at a container, means for the task's state: pure functions
 * from (state, result) to the new state plus what the loop should do next (restart the container in place,
 * look at it again). The managed task's loop applies the outcome; nothing here talks to Docker.
 */
import type { AcsContainer } from '../../acs/payload.js';
import type { NetworkBinding, TaskState } from '../tasks/contracts.js';
import type { ActionResult } from './container-actions.js';
import { containerOf, exitedPatch, forward, patchContainer, runningPatch } from './container-updates.js';
import type { ContainerFacts } from './docker/docker-client.js';
import { afterContainerStopped, shouldRestart } from './task-status.js';

export interface Outcome {
  readonly state: TaskState;
  /** Start this container id again in place: its restart policy says so. */
  readonly restart?: string;
  /** Look at the container again (what Docker said is not known yet). */
  readonly recheck?: boolean;
  /** Learnt from Docker, kept in memory by the loop (links and volumesFrom need the name). */
  readonly dockerName?: string;
  readonly startedAt?: number;
  /** Worth a log line. */
  readonly note?: {
    readonly level: 'info' | 'warn';
    readonly msg: string;
    readonly fields: Record<string, unknown>;
  };
}

export interface ResultContext {
  /** The result is of a restart by the container's restart policy. */
  readonly restart: boolean;
  readonly now: number;
}

export function applyResult(
  state: TaskState,
  def: AcsContainer,
  result: ActionResult,
  ctx: ResultContext,
): Outcome {
  const name = def.name;
  const c = containerOf(state, name);
  switch (result.kind) {
    case 'pulled':
      return {
        state: {
          ...patchContainer(state, name, {
            knownStatus: forward(c.knownStatus, 'PULLED'),
            ...(result.imageDigest !== undefined && { imageDigest: result.imageDigest }),
          }),
          ...pullTimes(state, result.pullStartedAt, result.pullStoppedAt),
        },
      };
    case 'created':
      return {
        state: patchContainer(state, name, {
          runtimeId: result.runtimeId,
          knownStatus: forward(c.knownStatus, 'CREATED'),
        }),
        dockerName: result.dockerName,
      };
    case 'started': {
      // dockerd accepted the start: the container ran, whatever a later look shows (it may have exited).
      let next = patchContainer(state, name, { knownStatus: forward(c.knownStatus, 'RUNNING') });
      if (ctx.restart) next = patchContainer(next, name, { restartCount: (c.restartCount ?? 0) + 1 });
      const out: Outcome =
        result.facts === undefined
          ? { state: next, recheck: true }
          : applyFacts(next, def, result.facts, ctx.now);
      return ctx.restart
        ? {
            ...out,
            note: {
              level: 'info',
              msg: 'container restarted by its restart policy',
              fields: { container: name, restarts: (c.restartCount ?? 0) + 1 },
            },
          }
        : out;
    }
    case 'stopped':
      if (result.facts?.running === true) return { state }; // still up: the next transition stops it again
      return {
        state: patchContainer(state, name, {
          knownStatus: 'STOPPED',
          ...(result.facts !== undefined && exitedPatch(result.facts)),
        }),
      };
    case 'observed':
      return applyFacts(state, def, result.facts, ctx.now);
    case 'failed':
      if (result.step === 'inspect') {
        return {
          state,
          note: {
            level: 'warn',
            msg: 'cannot inspect container',
            fields: { container: name, reason: result.reason },
          },
        };
      }
      return {
        state: afterContainerStopped(
          {
            ...patchContainer(state, name, { knownStatus: 'STOPPED', reason: result.reason }),
            ...pullTimes(state, result.pullStartedAt, result.pullStoppedAt),
          },
          def,
          result.reason,
        ),
      };
  }
}

/** What Docker says about a container (undefined: it is gone), applied: running, exited (maybe restarted), gone. */
export function applyFacts(
  state: TaskState,
  def: AcsContainer,
  facts: ContainerFacts | undefined,
  now: number,
): Outcome {
  const name = def.name;
  const c = containerOf(state, name);
  if (facts === undefined) {
    if (c.knownStatus === 'STOPPED' || c.runtimeId === undefined) return { state };
    const reason = `CannotInspectContainerError: container ${c.runtimeId} no longer exists on the host`;
    const gone = patchContainer(state, name, { knownStatus: 'STOPPED', reason });
    return { state: afterContainerStopped(gone, def, c.knownStatus === 'RUNNING' ? undefined : reason) };
  }
  const learnt = {
    dockerName: facts.name,
    ...(facts.startedAt !== undefined && { startedAt: facts.startedAt }),
  };
  if (facts.running || facts.status === 'restarting' || facts.status === 'paused') {
    return { ...learnt, state: patchContainer(state, name, runningPatch(c, facts, hostModeBindings(def))) };
  }
  if (facts.status === 'created') {
    return {
      ...learnt,
      state: patchContainer(state, name, {
        runtimeId: facts.id,
        knownStatus: forward(c.knownStatus, 'CREATED'),
      }),
    };
  }
  // Exited or dead.
  if (c.knownStatus === 'STOPPED') {
    const fill = c.exitCode === undefined && facts.startedAt !== undefined;
    return { ...learnt, state: fill ? patchContainer(state, name, { exitCode: facts.exitCode }) : state };
  }
  const decision = shouldRestart(def.restartPolicy, {
    exitCode: facts.startedAt === undefined ? undefined : facts.exitCode,
    lastStartedAt: facts.startedAt,
    taskDesired: state.task.desiredStatus,
    now,
  });
  if (decision.restart) return { ...learnt, state, restart: facts.id };
  return {
    ...learnt,
    state: afterContainerStopped(patchContainer(state, name, exitedPatch(facts)), def, undefined),
    ...(def.restartPolicy?.enabled === true && {
      note: {
        level: 'info' as const,
        msg: 'container not restarted',
        fields: { container: name, why: decision.why },
      },
    }),
  };
}

/** The task's pull window: the first pull's start to the last pull's end. */
function pullTimes(
  state: TaskState,
  started: number | undefined,
  stopped: number | undefined,
): Partial<TaskState> {
  return {
    ...(started !== undefined && { pullStartedAt: Math.min(state.pullStartedAt ?? Infinity, started) }),
    ...(stopped !== undefined && { pullStoppedAt: Math.max(state.pullStoppedAt ?? 0, stopped) }),
  };
}

/** Host mode publishes nothing: each container port is the host port. */
function hostModeBindings(def: AcsContainer): NetworkBinding[] {
  return (def.portMappings ?? []).flatMap((m) =>
    m.containerPort === undefined
      ? []
      : [
          {
            bindIP: '0.0.0.0',
            containerPort: m.containerPort,
            hostPort: m.containerPort,
            protocol: m.protocol ?? 'tcp',
          },
        ],
  );
}
