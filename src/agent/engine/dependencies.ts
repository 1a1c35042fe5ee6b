/**
 * Container dependencies inside a task, as the ECS agent's dependency graph sees them
 * (`agent/engine/dependencygraph/graph.go`): explicit `dependsOn` conditions, and links and volumesFrom,
 * which imply START (Docker needs the other container to exist at create and to run at start). Pure.
 *
 *   START     the dependency has started (is RUNNING, or ran and exited)
 *   COMPLETE  the dependency has exited, whatever its exit code
 *   SUCCESS   the dependency has exited with code 0; any other exit means the dependent can never start
 *   HEALTHY   the dependency's health check reports healthy
 *
 * A dependency's `startTimeout` (seconds) bounds how long COMPLETE, SUCCESS and HEALTHY may take, counted
 * from when the dependency started, as ECS does (`hasDependencyTimedOut`): past it, the dependent gives up
 * and the task stops.
 */
import type { AcsContainer, AcsDependsOn } from '../../acs/payload.js';
import type { ContainerState } from '../tasks/contracts.js';
import { knownIsAfter, type KnownStatus } from '../../domain/status.js';
import { parseFragment } from './docker-fragments.js';

export type DependencyCondition = AcsDependsOn['condition'];

export interface Dependency {
  readonly container: string;
  readonly condition: DependencyCondition;
  /** Docker needs the dependency to exist before the dependent is created (links, volumesFrom). */
  readonly beforeCreate: boolean;
}

/** One container as the pure parts of the engine see it. */
export interface ContainerView {
  readonly def: AcsContainer;
  readonly state: ContainerState;
  /** The status an action in flight will reach (the ECS agent's "applied" status); never persisted. */
  readonly applied?: KnownStatus;
  /** When the container last started, epoch ms (from Docker). */
  readonly startedAt?: number;
}

export type DependencyCheck =
  | { readonly kind: 'satisfied' }
  | { readonly kind: 'waiting'; readonly deadline?: number }
  | { readonly kind: 'impossible'; readonly reason: string };

/** Every container this one depends on, strongest condition first when listed twice. */
export function dependenciesOf(def: AcsContainer): Dependency[] {
  const out = new Map<string, Dependency>();
  const add = (container: string, condition: DependencyCondition, beforeCreate: boolean) => {
    const existing = out.get(container);
    out.set(container, {
      container,
      condition: existing !== undefined && existing.condition !== 'START' ? existing.condition : condition,
      beforeCreate: beforeCreate || existing?.beforeCreate === true,
    });
  };
  for (const d of def.dependsOn ?? []) add(d.containerName, d.condition, false);
  for (const link of def.links ?? []) add(link.split(':')[0] ?? link, 'START', true);
  for (const v of def.volumesFrom ?? []) add(v.sourceContainer, 'START', true);
  return [...out.values()];
}

/** Whether a container definition has a Docker health check. */
export function hasHealthCheck(def: AcsContainer): boolean {
  if (def.healthCheckType === 'docker') return true;
  try {
    const config = parseFragment(def.dockerConfig?.config, 'config');
    return config.Healthcheck !== undefined && config.Healthcheck !== null;
  } catch {
    return false;
  }
}

/** Whether `dep` meets `condition` for its dependent `dependent`, at time `now`. */
export function checkDependency(
  dependent: string,
  dep: ContainerView,
  condition: DependencyCondition,
  now: number,
): DependencyCheck {
  const name = dep.def.name;
  const { knownStatus, exitCode, healthStatus } = dep.state;
  const stopped = knownStatus === 'STOPPED';
  // A container that stopped without an exit code never ran (its pull, create or start failed).
  const neverRan = stopped && exitCode === undefined;
  const waiting = (): DependencyCheck => {
    const timeout = dep.def.startTimeout;
    if (timeout === undefined || timeout <= 0 || dep.startedAt === undefined) return { kind: 'waiting' };
    const deadline = dep.startedAt + timeout * 1000;
    if (now >= deadline) {
      return {
        kind: 'impossible',
        reason: `container ${name} did not reach ${condition} within its startTimeout of ${timeout}s, so ${dependent} cannot start`,
      };
    }
    return { kind: 'waiting', deadline };
  };
  switch (condition) {
    case 'START':
      if (neverRan)
        return impossible(`container ${name} never started, so ${dependent} (dependsOn START) cannot start`);
      return knownIsAfter(knownStatus, 'CREATED') ? { kind: 'satisfied' } : { kind: 'waiting' };
    case 'COMPLETE':
      if (neverRan)
        return impossible(`container ${name} never ran, so ${dependent} (dependsOn COMPLETE) cannot start`);
      return stopped ? { kind: 'satisfied' } : waiting();
    case 'SUCCESS':
      if (!stopped) return waiting();
      if (exitCode === 0) return { kind: 'satisfied' };
      return impossible(
        exitCode === undefined
          ? `container ${name} never ran, so ${dependent} (dependsOn SUCCESS) cannot start`
          : `container ${name} exited with code ${exitCode}, so ${dependent} (dependsOn SUCCESS) cannot start`,
      );
    case 'HEALTHY':
      if (!hasHealthCheck(dep.def)) {
        return impossible(
          `container ${name} has no health check, so ${dependent} (dependsOn HEALTHY) cannot start`,
        );
      }
      if (healthStatus === 'HEALTHY' && !stopped) return { kind: 'satisfied' };
      if (stopped)
        return impossible(`container ${name} stopped before it was healthy, so ${dependent} cannot start`);
      return waiting();
  }
}

function impossible(reason: string): DependencyCheck {
  return { kind: 'impossible', reason };
}

/**
 * A problem with the task's dependency graph that no amount of waiting fixes: a dependency on a container
 * the task does not have, or a cycle. Undefined when the graph is sound.
 */
export function graphProblem(defs: readonly AcsContainer[]): string | undefined {
  const names = new Set(defs.map((d) => d.name));
  for (const def of defs) {
    for (const dep of dependenciesOf(def)) {
      if (dep.container === def.name) return `container ${def.name} depends on itself`;
      if (!names.has(dep.container)) {
        return `container ${def.name} depends on container ${dep.container}, which is not in the task`;
      }
    }
  }
  const byName = new Map(defs.map((d) => [d.name, d]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): string | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name].join(' -> ');
    state.set(name, 'visiting');
    for (const dep of dependenciesOf(byName.get(name) as AcsContainer)) {
      const cycle = visit(dep.container, [...path, name]);
      if (cycle !== undefined) return cycle;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const def of defs) {
    const cycle = visit(def.name, []);
    if (cycle !== undefined) return `the task's container dependencies form a cycle: ${cycle}`;
  }
  return undefined;
}

/** Containers that depend on `name` (they must stop before it does). */
export function dependentsOf(name: string, defs: readonly AcsContainer[]): string[] {
  return defs.filter((d) => dependenciesOf(d).some((dep) => dep.container === name)).map((d) => d.name);
}
