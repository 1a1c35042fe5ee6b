/**
 * The next step for one container, computed and not executed: the ECS agent's `containerNextState`
 * (`agent/engine/task_manager.go`). The managed task's loop asks this for every container after each
 * event, applies steps that need no Docker call at once, and starts the Docker call for the others. Pure.
 *
 * Cases, in order:
 *   1. already STOPPED (terminal), or at/past the desired status         -> nothing to do
 *   2. an action already in flight towards the next status               -> wait for its result
 *   3. desired STOPPED: not created yet                                  -> STOPPED, no Docker call
 *                       a container depending on it still up             -> blocked (stop in reverse order)
 *                       otherwise                                        -> STOPPED via docker stop
 *   4. desired RUNNING: a dependency that can never be met               -> `reason` (the task must fail)
 *                       NONE -> PULLED (pulls never wait on dependencies, so images download in parallel)
 *                       PULLED -> CREATED once links/volumesFrom exist
 *                       CREATED -> RUNNING once every dependency's condition holds
 */
import type { DesiredTaskStatus } from '../../acs/payload.js';
import { knownIsAfter, nextKnown, type KnownStatus } from '../../domain/status.js';
import {
  checkDependency,
  dependenciesOf,
  dependentsOf,
  type ContainerView,
  type DependencyCondition,
} from './dependencies.js';

export interface TaskView {
  readonly desired: DesiredTaskStatus;
  readonly containers: readonly ContainerView[];
}

export interface BlockedOn {
  readonly container: string;
  /** A dependsOn condition; CREATED: must exist first (links, volumesFrom); STOPPED: must stop first. */
  readonly condition: DependencyCondition | 'CREATED' | 'STOPPED';
  /** When the wait runs out (the dependency's startTimeout), so the loop can wake up then. */
  readonly deadline?: number;
}

export interface Transition {
  readonly next?: KnownStatus;
  /** Whether reaching `next` takes a Docker call (pull, create, start, stop) or is only bookkeeping. */
  readonly actionRequired: boolean;
  readonly blockedOn?: BlockedOn;
  /** Set when the container can never reach its desired status: the task must stop with this reason. */
  readonly reason?: string;
}

const NOTHING: Transition = { actionRequired: false };

export function nextTransition(task: TaskView, container: ContainerView, now: number): Transition {
  const known = container.state.knownStatus;
  const desired: KnownStatus = task.desired;
  if (known === 'STOPPED' || known === desired || knownIsAfter(known, desired)) return NOTHING;

  if (desired === 'STOPPED') {
    // Nothing exists in Docker yet: no call needed, and an in-flight pull's result will be ignored.
    if (!knownIsAfter(known, 'PULLED')) return { next: 'STOPPED', actionRequired: false };
    if (container.applied !== undefined) return NOTHING;
    const defs = task.containers.map((c) => c.def);
    for (const name of dependentsOf(container.def.name, defs)) {
      const dependent = task.containers.find((c) => c.def.name === name);
      if (dependent !== undefined && dependent.state.knownStatus !== 'STOPPED') {
        return { actionRequired: false, blockedOn: { container: name, condition: 'STOPPED' } };
      }
    }
    return { next: 'STOPPED', actionRequired: true };
  }

  const next = nextKnown(known);
  if (next === undefined) return NOTHING;
  if (container.applied !== undefined && !knownIsAfter(next, container.applied)) return NOTHING;

  let blockedOn: BlockedOn | undefined;
  // The earliest moment a wait can run out, whichever dependency it is on.
  let deadline: number | undefined;
  for (const dep of dependenciesOf(container.def)) {
    const other = task.containers.find((c) => c.def.name === dep.container);
    if (other === undefined) {
      return {
        ...NOTHING,
        reason: `container ${container.def.name} depends on ${dep.container}, which is not in the task`,
      };
    }
    const check = checkDependency(container.def.name, other, dep.condition, now);
    if (check.kind === 'impossible') return { ...NOTHING, reason: check.reason };
    if (next === 'CREATED' && dep.beforeCreate && !knownIsAfter(other.state.knownStatus, 'PULLED')) {
      blockedOn ??= { container: dep.container, condition: 'CREATED' };
    }
    if (check.kind === 'waiting' && check.deadline !== undefined) {
      deadline = Math.min(deadline ?? Infinity, check.deadline);
    }
    if (next === 'RUNNING' && check.kind === 'waiting') {
      blockedOn ??= { container: dep.container, condition: dep.condition };
    }
  }
  if (blockedOn !== undefined) {
    return {
      actionRequired: false,
      blockedOn: { ...blockedOn, ...(deadline !== undefined && { deadline }) },
    };
  }
  return { next, actionRequired: true };
}
