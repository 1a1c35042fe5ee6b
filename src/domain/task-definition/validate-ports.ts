/**
 * Port mappings. What a mapping may say depends on the network mode: `none` has no ports, `host` and `awsvpc`
 * bind the container port itself (hostPort absent or equal), `bridge` may pick any host port or a dynamic one
 * (absent or 0). Within a task a host port can be claimed once per protocol, or the second container could
 * never start.
 */
import type { ContainerDefinition, PortMapping } from '@aws-sdk/client-ecs';
import type { TaskFacts } from './facts.js';
import { containerError } from './facts.js';
import { clientError } from '../../ecs/errors.js';

const PORT_RANGE = /^(\d{1,5})-(\d{1,5})$/;
/** Port mapping names (used by Service Connect): up to 64 of a-z 0-9 _ -, not starting with a hyphen. */
const PORT_NAME = /^[a-z0-9_][a-z0-9_-]{0,63}$/;
const MAX_RANGES_PER_CONTAINER = 100;

export function validatePorts(containers: readonly ContainerDefinition[], facts: TaskFacts): void {
  const hostPorts = new Map<string, string>();
  const mappingNames = new Map<string, string>();
  for (const c of containers) {
    const mappings = c.portMappings ?? [];
    if (mappings.length > 0 && facts.networkMode === 'none') {
      throw containerError(c, "Port mappings are not allowed with network mode 'none'. Remove portMappings.");
    }
    const claimed: { protocol: string; from: number; to: number }[] = [];
    let ranges = 0;
    for (const p of mappings) {
      const protocol = p.protocol ?? 'tcp';
      const [from, to] = containerPorts(c, p, facts);
      if (p.containerPortRange !== undefined) ranges++;
      if (claimed.some((r) => r.protocol === protocol && from <= r.to && r.from <= to)) {
        throw containerError(c, `Container port ${describe(from, to)}/${protocol} is mapped more than once.`);
      }
      claimed.push({ protocol, from, to });

      const host = hostPortOf(p, facts);
      if (host !== undefined && host !== 0) {
        const key = `${host}/${protocol}`;
        const owner = hostPorts.get(key);
        if (owner !== undefined) {
          throw clientError(
            `Host port ${key} is used by both container '${owner}' and container '${c.name}'. ` +
              'Give each a different host port, or omit hostPort for a dynamic one in bridge mode.',
          );
        }
        hostPorts.set(key, c.name ?? '');
      }
      if (p.name !== undefined) {
        if (!PORT_NAME.test(p.name)) {
          throw containerError(
            c,
            `Port mapping name '${p.name}' must be 1-64 lowercase letters, numbers, underscores and ` +
              'hyphens, not starting with a hyphen.',
          );
        }
        const owner = mappingNames.get(p.name);
        if (owner !== undefined) {
          throw clientError(
            `Port mapping name '${p.name}' is used more than once in the task. Names must be unique.`,
          );
        }
        mappingNames.set(p.name, c.name ?? '');
      }
    }
    if (ranges > MAX_RANGES_PER_CONTAINER) {
      throw containerError(
        c,
        `A container can have at most ${MAX_RANGES_PER_CONTAINER} containerPortRange mappings.`,
      );
    }
  }
}

/** The host port a mapping will hold: what ECS stores, i.e. containerPort in host and awsvpc modes. */
export function hostPortOf(p: PortMapping, facts: Pick<TaskFacts, 'networkMode'>): number | undefined {
  if (p.containerPortRange !== undefined) return undefined;
  if (facts.networkMode === 'host' || facts.networkMode === 'awsvpc') return p.hostPort ?? p.containerPort;
  return p.hostPort;
}

/** The container ports of one mapping as [from, to], after checking the mapping is well-formed. */
function containerPorts(c: ContainerDefinition, p: PortMapping, facts: TaskFacts): [number, number] {
  if (p.containerPortRange !== undefined) {
    if (p.containerPort !== undefined || p.hostPort !== undefined) {
      throw containerError(
        c,
        'A port mapping with containerPortRange takes neither containerPort nor hostPort; host ports are ' +
          'assigned for the whole range.',
      );
    }
    if (facts.networkMode !== 'bridge' && facts.networkMode !== 'awsvpc') {
      throw containerError(c, "containerPortRange needs network mode 'bridge' or 'awsvpc'.");
    }
    const m = PORT_RANGE.exec(p.containerPortRange);
    const from = Number(m?.[1]);
    const to = Number(m?.[2]);
    if (!m || !isPort(from) || !isPort(to) || from >= to) {
      throw containerError(
        c,
        `containerPortRange '${p.containerPortRange}' must be 'start-end' with 1 <= start < end <= 65535.`,
      );
    }
    return [from, to];
  }
  const port = p.containerPort;
  if (port === undefined)
    throw containerError(c, "Every port mapping needs a 'containerPort' or 'containerPortRange'.");
  if (!isPort(port)) throw containerError(c, `containerPort must be between 1 and 65535; got ${port}.`);
  const host = p.hostPort;
  if (host !== undefined && (!Number.isInteger(host) || host < 0 || host > 65535)) {
    throw containerError(c, `hostPort must be between 0 and 65535; got ${host}.`);
  }
  if (
    (facts.networkMode === 'host' || facts.networkMode === 'awsvpc') &&
    host !== undefined &&
    host !== port
  ) {
    // ECS's own wording, plus the fix.
    throw clientError(
      `When networkMode=${facts.networkMode}, the host ports and container ports in port mappings must match. ` +
        `Container '${c.name}' maps containerPort ${port} to hostPort ${host}: omit hostPort or set it to ${port}.`,
    );
  }
  return [port, port];
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

function describe(from: number, to: number): string {
  return from === to ? String(from) : `${from}-${to}`;
}
