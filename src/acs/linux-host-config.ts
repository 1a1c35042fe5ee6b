/**
 * A container definition's `linuxParameters` as members of Docker's `HostConfig`, the way ECS delivers them:
 * ACS's `Container` has a `linuxParameters` member, but the ECS agent's container type has no such field and
 * reads these knobs only from `dockerConfig.hostConfig`. Berth's agent reads the same JSON, so both agents
 * take them from one place. Pure: no I/O.
 */

const BYTES_PER_MIB = 1024 * 1024;
/** ECS: "If a value isn't specified for swappiness, a default value of 60 is used" (with maxSwap set). */
export const DEFAULT_SWAPPINESS = 60;
/** Docker's device cgroup permissions when none are given (`docker run --device`). */
const ALL_DEVICE_PERMISSIONS = 'rwm';
/** ECS's device permission words and Docker's letters for them, in Docker's order. */
const PERMISSION_LETTERS = [
  ['read', 'r'],
  ['write', 'w'],
  ['mknod', 'm'],
] as const;

/** ECS's LinuxParameters as far as Docker's HostConfig can carry them (the SDK type fits). */
export interface LinuxParametersInput {
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly devices?: readonly {
    readonly hostPath?: string;
    readonly containerPath?: string;
    readonly permissions?: readonly string[];
  }[];
  readonly initProcessEnabled?: boolean;
  /** MiB. */
  readonly sharedMemorySize?: number;
  readonly tmpfs?: readonly {
    readonly containerPath?: string;
    /** MiB. */
    readonly size?: number;
    readonly mountOptions?: readonly string[];
  }[];
  /** MiB of swap on top of the memory limit; 0: no swap. */
  readonly maxSwap?: number;
  readonly swappiness?: number;
}

/**
 * The HostConfig members for `lp`. `memoryMiB` is the container's hard memory limit: Docker's `MemorySwap`
 * is memory plus swap and is refused without `Memory`, so without a hard limit maxSwap cannot be expressed
 * and the host's swap setting applies (as when maxSwap is absent).
 */
export function linuxHostConfig(
  lp: LinuxParametersInput | undefined,
  memoryMiB: number | undefined,
): Record<string, unknown> {
  if (lp === undefined) return {};
  const devices = lp.devices?.filter((d) => d.hostPath !== undefined && d.hostPath !== '');
  const tmpfs = lp.tmpfs?.filter((t) => t.containerPath !== undefined && t.containerPath !== '');
  const swap = lp.maxSwap;
  return {
    ...(lp.initProcessEnabled !== undefined && { Init: lp.initProcessEnabled }),
    ...(lp.capabilities?.add !== undefined && { CapAdd: [...lp.capabilities.add] }),
    ...(lp.capabilities?.drop !== undefined && { CapDrop: [...lp.capabilities.drop] }),
    ...(devices !== undefined &&
      devices.length > 0 && {
        Devices: devices.map((d) => ({
          PathOnHost: d.hostPath,
          PathInContainer: d.containerPath ?? d.hostPath,
          CgroupPermissions: cgroupPermissions(d.permissions),
        })),
      }),
    ...(lp.sharedMemorySize !== undefined && { ShmSize: lp.sharedMemorySize * BYTES_PER_MIB }),
    ...(tmpfs !== undefined &&
      tmpfs.length > 0 && {
        Tmpfs: Object.fromEntries(
          tmpfs.map((t) => [
            t.containerPath,
            [...(t.size !== undefined ? [`size=${t.size}m`] : []), ...(t.mountOptions ?? [])].join(','),
          ]),
        ),
      }),
    ...(swap !== undefined &&
      memoryMiB !== undefined &&
      memoryMiB > 0 && { MemorySwap: (memoryMiB + swap) * BYTES_PER_MIB }),
    ...(swap !== undefined && { MemorySwappiness: lp.swappiness ?? DEFAULT_SWAPPINESS }),
  };
}

/** ECS's permission words as Docker's letters, in Docker's order; all of them when none are given. */
function cgroupPermissions(permissions: readonly string[] | undefined): string {
  if (permissions === undefined || permissions.length === 0) return ALL_DEVICE_PERMISSIONS;
  return PERMISSION_LETTERS.filter(([word]) => permissions.includes(word))
    .map(([, letter]) => letter)
    .join('');
}
