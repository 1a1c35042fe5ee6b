/**
 * From a task's container definition to the body of Docker's container create call. Pure: everything that
 * depends on the host or on other containers (Docker names of linked containers, volume names) comes in as
 * facts, so the whole mapping is checked by table tests.
 *
 * Order of precedence, as in the ECS agent (`agent/engine/docker_task_engine.go createContainer`): first
 * the fields ACS carries as members (image, command, cpu, memory, ports, mounts, ...), then the Docker
 * fragments in `dockerConfig.config` / `.hostConfig` (hostname, user, healthcheck, ulimits, log config,
 * and the definition's linuxParameters: Init, capabilities, devices, shm, tmpfs, swap, ...), which win over
 * the members, except for what makes the container Berth's and the task's own: its identifying labels,
 * network mode, port bindings, links and volumesFrom.
 *
 * A definition the engine cannot honour throws a ConfigProblem whose message is the reason to report.
 */
import type { AcsContainer, AcsTask, AcsVolume } from '../../acs/payload.js';
import type { ContainerCreateBody } from './docker/docker-client.js';
import { AWSLOGS_LABEL, AwsLogsOptionError, LOG_DRIVER, localLogConfig } from '../logs/options.js';
import {
  FragmentError,
  mergeEnv,
  parseFragment,
  stringList,
  stringMap,
  type JsonObject,
} from './docker-fragments.js';
import {
  CLUSTER_LABEL,
  CONTAINER_NAME_LABEL,
  FAMILY_LABEL,
  OWNER_LABEL,
  TASK_ARN_LABEL,
  VERSION_LABEL,
} from './labels.js';

const MIB = 1024 * 1024;
/** Docker's minimum CPU shares; the ECS agent maps absent, 0 and 1 CPU units to it. */
export const MIN_CPU_SHARES = 2;
/** Docker's own default driver; every dockerd has it. */
export const LOCAL_VOLUME_DRIVER = 'local';

/** A definition the engine cannot run as given; the message is the container's reason. */
export class ConfigProblem extends Error {
  override readonly name = 'ConfigProblem';
}

/** What the mapping needs to know beyond the definition. */
export interface CreateFacts {
  /** Docker names of the task's containers created so far, by container name (links, volumesFrom). */
  readonly dockerNames: ReadonlyMap<string, string>;
  /** This agent's owner id (label berth.agent-owner). */
  readonly ownerId: string;
  /** Variables the agent adds, e.g. the metadata endpoint's address; the task's own win on a clash. */
  readonly agentEnvironment?: Readonly<Record<string, string>>;
}

/** How one task volume reaches Docker. */
export type VolumePlan =
  | { readonly kind: 'bind'; readonly volume: string; readonly sourcePath: string }
  | {
      readonly kind: 'docker';
      readonly volume: string;
      /** The Docker volume's name. */
      readonly dockerName: string;
      /** Task-scoped volumes are created for the task and removed with it. */
      readonly taskScoped: boolean;
      /** Shared volumes: create when missing (else a missing one fails the task). */
      readonly autoprovision: boolean;
      readonly driver: string;
      readonly driverOpts: Readonly<Record<string, string>>;
      readonly labels: Readonly<Record<string, string>>;
    };

/** The task id: the last part of its ARN. */
export function taskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

/** Docker names allow [a-zA-Z0-9_.-]; ECS names and families already keep to that, this is a safety net. */
function dockerSafe(text: string): string {
  return text.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** `ecs-<family>-<version>-<name>-<random>`, the ECS agent's container naming. */
export function dockerContainerName(task: AcsTask, container: AcsContainer, randomHex: string): string {
  return dockerSafe(`ecs-${task.family}-${task.version}-${container.name}-${randomHex}`);
}

/** How each of the task's volumes is provided. Task-scoped Docker volumes get a per-task name. */
export function planVolumes(task: AcsTask): Map<string, VolumePlan> {
  const plans = new Map<string, VolumePlan>();
  for (const v of task.volumes ?? []) plans.set(v.name, planVolume(task, v));
  return plans;
}

function planVolume(task: AcsTask, v: AcsVolume): VolumePlan {
  const sourcePath = v.host?.sourcePath;
  if (v.type === 'host' && sourcePath !== undefined && sourcePath !== '') {
    return { kind: 'bind', volume: v.name, sourcePath };
  }
  const config = v.type === 'docker' ? v.dockerVolumeConfiguration : undefined;
  // A host volume without a source path is scratch space for the task (ECS: an agent-managed directory):
  // a task-scoped local volume gives exactly that and is removed with the task.
  const shared = config?.scope === 'shared';
  return {
    kind: 'docker',
    volume: v.name,
    dockerName: shared
      ? v.name
      : dockerSafe(`ecs-${task.family}-${task.version}-${v.name}-${taskId(task.arn)}`),
    taskScoped: !shared,
    autoprovision: config?.autoprovision === true,
    driver: config?.driver ?? LOCAL_VOLUME_DRIVER,
    driverOpts: config?.driverOpts ?? {},
    labels: shared ? (config?.labels ?? {}) : { ...config?.labels, [TASK_ARN_LABEL]: task.arn },
  };
}

/** The labels that make a container the agent's and the task's own. */
export function ownLabels(task: AcsTask, container: AcsContainer, ownerId: string): Record<string, string> {
  return {
    [TASK_ARN_LABEL]: task.arn,
    [CONTAINER_NAME_LABEL]: container.name,
    [CLUSTER_LABEL]: task.taskClusterArn,
    [FAMILY_LABEL]: task.family,
    [VERSION_LABEL]: task.version,
    [OWNER_LABEL]: ownerId,
  };
}

export function buildCreateBody(
  task: AcsTask,
  container: AcsContainer,
  facts: CreateFacts,
): ContainerCreateBody {
  let config: JsonObject;
  let hostFragment: JsonObject;
  try {
    config = parseFragment(container.dockerConfig?.config, 'dockerConfig.config');
    hostFragment = parseFragment(container.dockerConfig?.hostConfig, 'dockerConfig.hostConfig');
  } catch (e) {
    if (e instanceof FragmentError) throw new ConfigProblem(`container ${container.name}: ${e.message}`);
    throw e;
  }
  const networkMode = task.networkMode ?? 'bridge';
  const ports = portSpecs(container, networkMode);
  const host = hostConfig(task, container, networkMode, ports, facts);

  const env = Object.entries({ ...facts.agentEnvironment, ...container.environment }).map(
    ([k, v]) => `${k}=${v}`,
  );
  const body: ContainerCreateBody = {
    ...config,
    Image: container.image,
    Env: mergeEnv(env, stringList(config.Env)),
    Labels: { ...stringMap(config.Labels), ...ownLabels(task, container, facts.ownerId) },
    HostConfig: { ...host.base, ...hostFragment, ...host.owned, ...mergedHostLists(host.base, hostFragment) },
  };
  // Members win over the fragment when set, as the ECS agent applies them last for these.
  if (container.command !== undefined && container.command.length > 0) body.Cmd = [...container.command];
  if (container.entryPoint !== undefined && container.entryPoint.length > 0) {
    body.Entrypoint = [...container.entryPoint];
  }
  if (ports.length > 0 && networkMode === 'bridge') {
    body.ExposedPorts = Object.fromEntries(ports.map((p) => [p.key, {}]));
  }
  routeAwsLogs(container, body);
  return body;
}

/** awslogs runs as json-file, shipped by the agent itself (agent/logs/), its options kept on a label. */
function routeAwsLogs(container: AcsContainer, body: ContainerCreateBody): void {
  const log = body.HostConfig?.LogConfig;
  if (body.HostConfig === undefined || log?.Type !== LOG_DRIVER) return;
  const options = stringMap(log.Config) ?? {};
  try {
    body.HostConfig.LogConfig = localLogConfig(options);
  } catch (e) {
    if (e instanceof AwsLogsOptionError) throw new ConfigProblem(`container ${container.name}: ${e.message}`);
    throw e;
  }
  body.Labels = { ...body.Labels, [AWSLOGS_LABEL]: JSON.stringify(options) };
}

interface PortSpec {
  /** "80/tcp" */
  readonly key: string;
  /** 0: Docker picks one. */
  readonly hostPort: number;
}

function portSpecs(container: AcsContainer, networkMode: string): PortSpec[] {
  const specs: PortSpec[] = [];
  for (const m of container.portMappings ?? []) {
    const protocol = m.protocol ?? 'tcp';
    if (networkMode === 'none') {
      throw new ConfigProblem(
        `container ${container.name}: portMappings need the bridge or host network mode, not none`,
      );
    }
    if (m.containerPortRange !== undefined) {
      const range = /^(\d{1,5})-(\d{1,5})$/.exec(m.containerPortRange);
      const from = Number(range?.[1]);
      const to = Number(range?.[2]);
      if (!range || from < 1 || to > 65535 || from > to) {
        throw new ConfigProblem(
          `container ${container.name}: containerPortRange "${m.containerPortRange}" is not FROM-TO`,
        );
      }
      for (let p = from; p <= to; p++) specs.push({ key: `${p}/${protocol}`, hostPort: 0 });
    } else if (m.containerPort !== undefined) {
      // Host mode shares the host's ports: the container port is the host port.
      const hostPort = networkMode === 'host' ? m.containerPort : (m.hostPort ?? 0);
      specs.push({ key: `${m.containerPort}/${protocol}`, hostPort });
    }
  }
  return specs;
}

interface HostParts {
  /** What the fragment may override. */
  readonly base: JsonObject;
  /** What the fragment may not change. */
  readonly owned: JsonObject;
}

function hostConfig(
  task: AcsTask,
  container: AcsContainer,
  networkMode: string,
  ports: readonly PortSpec[],
  facts: CreateFacts,
): HostParts {
  const base: JsonObject = {
    CpuShares: Math.max(MIN_CPU_SHARES, container.cpu ?? 0),
  };
  if (container.memory !== undefined && container.memory > 0) base.Memory = container.memory * MIB;
  if (container.memoryReservation !== undefined && container.memoryReservation > 0) {
    base.MemoryReservation = container.memoryReservation * MIB;
  }
  if (container.privileged === true) base.Privileged = true;
  const binds = mountBinds(task, container);
  if (binds.length > 0) base.Binds = binds;

  const owned: JsonObject = { NetworkMode: networkMode };
  if (networkMode === 'bridge' && ports.length > 0) {
    const bindings: Record<string, { HostPort: string }[]> = {};
    for (const p of ports) {
      (bindings[p.key] ??= []).push({ HostPort: p.hostPort === 0 ? '' : String(p.hostPort) });
    }
    owned.PortBindings = bindings;
  }
  if (container.links !== undefined && container.links.length > 0) {
    if (networkMode !== 'bridge') {
      throw new ConfigProblem(`container ${container.name}: links work only in the bridge network mode`);
    }
    owned.Links = container.links.map((link) => {
      const [name = '', alias] = link.split(':');
      return `${dockerNameOf(container, name, facts)}:${alias ?? name}`;
    });
  }
  if (container.volumesFrom !== undefined && container.volumesFrom.length > 0) {
    owned.VolumesFrom = container.volumesFrom.map(
      (v) => `${dockerNameOf(container, v.sourceContainer, facts)}${v.readOnly === true ? ':ro' : ''}`,
    );
  }
  return { base, owned };
}

function dockerNameOf(container: AcsContainer, other: string, facts: CreateFacts): string {
  const name = facts.dockerNames.get(other);
  if (name === undefined) {
    throw new ConfigProblem(
      `container ${container.name} refers to container ${other}, which has not been created`,
    );
  }
  return name;
}

function mountBinds(task: AcsTask, container: AcsContainer): string[] {
  const plans = planVolumes(task);
  return (container.mountPoints ?? []).map((m) => {
    const plan = plans.get(m.sourceVolume);
    if (plan === undefined) {
      throw new ConfigProblem(
        `container ${container.name} mounts volume ${m.sourceVolume}, which the task does not define`,
      );
    }
    const source = plan.kind === 'bind' ? plan.sourcePath : plan.dockerName;
    return `${source}:${m.containerPath}${m.readOnly === true ? ':ro' : ''}`;
  });
}

/** HostConfig lists that add up rather than replace: the fragment's binds join the mount points'. */
function mergedHostLists(base: JsonObject, fragment: JsonObject): JsonObject {
  const a = stringList(base.Binds);
  const b = stringList(fragment.Binds);
  return a !== undefined && b !== undefined ? { Binds: [...new Set([...a, ...b])] } : {};
}
