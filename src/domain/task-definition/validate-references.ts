/**
 * References between containers: links, dependsOn and volumesFrom must name containers of the same task, and
 * together they must leave a start order. The agent starts a container only after those it links to, takes
 * volumes from, or depends on, so a cycle among them would leave a task that can never start.
 */
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { clientError } from '../../ecs/errors.js';
import type { TaskFacts } from './facts.js';
import { containerError } from './facts.js';

/** `name` or `name:alias`, each part a container-name-like token. */
const LINK = /^([A-Za-z0-9_-]{1,255})(?::([A-Za-z0-9_.-]{1,255}))?$/;

export function validateReferences(input: RegisterTaskDefinitionRequest, facts: TaskFacts): void {
  const containers = input.containerDefinitions ?? [];
  const byName = new Map(containers.map((c) => [c.name ?? '', c]));
  const edges = new Map<string, { to: string; via: string }[]>();
  const edge = (from: ContainerDefinition, to: string, via: string): void => {
    if (to === from.name) throw containerError(from, `It cannot name itself in ${via}.`);
    if (!byName.has(to)) {
      throw containerError(from, `${via} names container '${to}', which is not in this task definition.`);
    }
    const list = edges.get(from.name ?? '') ?? [];
    list.push({ to, via });
    edges.set(from.name ?? '', list);
  };

  for (const c of containers) {
    const links = c.links ?? [];
    if (links.length > 0 && facts.networkMode !== 'bridge') {
      throw containerError(
        c,
        `links are only supported with network mode 'bridge', not '${facts.networkMode}'.`,
      );
    }
    for (const link of links) {
      const m = LINK.exec(link);
      if (!m) throw containerError(c, `Link '${link}' must be 'name' or 'name:alias'.`);
      edge(c, m[1] as string, 'links');
    }
    for (const v of c.volumesFrom ?? []) {
      if (!v.sourceContainer) throw containerError(c, "Every volumesFrom entry needs a 'sourceContainer'.");
      edge(c, v.sourceContainer, 'volumesFrom');
    }
    for (const d of c.dependsOn ?? []) {
      const target = d.containerName ?? '';
      edge(c, target, 'dependsOn');
      const dep = byName.get(target) as ContainerDefinition;
      if (d.condition === 'HEALTHY' && dep.healthCheck === undefined) {
        throw containerError(
          c,
          `It depends on container '${target}' being HEALTHY, but '${target}' has no healthCheck. ` +
            "Add a healthCheck to it or use condition 'START'.",
        );
      }
      if ((d.condition === 'COMPLETE' || d.condition === 'SUCCESS') && dep.essential !== false) {
        throw containerError(
          c,
          `It depends on container '${target}' with condition ${d.condition}, which cannot be set on an ` +
            `essential container (its exit would stop the task). Set 'essential': false on '${target}'.`,
        );
      }
    }
  }
  const cycle = findCycle(
    containers.map((c) => c.name ?? ''),
    edges,
  );
  if (cycle) {
    throw clientError(
      `Containers depend on each other in a cycle (${cycle.join(' -> ')}), so none of them could start. ` +
        'Remove one of the links, volumesFrom or dependsOn entries.',
    );
  }
  validateTaskReferences(input, byName);
}

/** References from task-level fields and log drivers to containers. */
function validateTaskReferences(
  input: RegisterTaskDefinitionRequest,
  byName: ReadonlyMap<string, ContainerDefinition>,
): void {
  const proxy = input.proxyConfiguration?.containerName;
  if (proxy !== undefined && !byName.has(proxy)) {
    throw clientError(
      `proxyConfiguration.containerName '${proxy}' is not a container of this task definition.`,
    );
  }
  const containers = [...byName.values()];
  const hasFirelens = containers.some((c) => c.firelensConfiguration !== undefined);
  const devices = new Set((input.inferenceAccelerators ?? []).map((a) => a.deviceName));
  for (const c of containers) {
    if (c.logConfiguration?.logDriver === 'awsfirelens' && !hasFirelens) {
      throw containerError(
        c,
        "It uses the 'awsfirelens' log driver, but no container in the task has a firelensConfiguration. " +
          'Add a FireLens log router container.',
      );
    }
    for (const r of c.resourceRequirements ?? []) {
      if (r.type === 'InferenceAccelerator' && !devices.has(r.value)) {
        throw containerError(
          c,
          `InferenceAccelerator '${r.value}' is not a deviceName in inferenceAccelerators.`,
        );
      }
    }
  }
}

/** A cycle as a path of container names (first name repeated at the end), or undefined. Iterative DFS. */
function findCycle(
  names: readonly string[],
  edges: ReadonlyMap<string, readonly { to: string }[]>,
): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  for (const start of names) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const cursors: number[] = [0];
    state.set(start, 'open');
    while (path.length > 0) {
      const node = path[path.length - 1] as string;
      const next = edges.get(node)?.[cursors[cursors.length - 1] as number];
      if (next === undefined) {
        state.set(node, 'done');
        path.pop();
        cursors.pop();
        continue;
      }
      cursors[cursors.length - 1] = (cursors[cursors.length - 1] as number) + 1;
      const seen = state.get(next.to);
      if (seen === 'open') return [...path.slice(path.indexOf(next.to)), next.to];
      if (seen === undefined) {
        state.set(next.to, 'open');
        path.push(next.to);
        cursors.push(0);
      }
    }
  }
  return undefined;
}
