/**
 * What the host's dockerd cannot do, found before asking it: a log driver it does not have, a volume
 * driver that is not installed. Docker's own error for these comes late and reads badly ("failed to
 * initialize logging driver"), or not at all; here the task fails at create with a reason that names the
 * missing piece. Pure.
 */
import type { ContainerCreateBody, HostFacts } from './docker/docker-client.js';
import { LOCAL_VOLUME_DRIVER, type VolumePlan } from './container-config.js';

/** Log drivers every dockerd has without listing them as plugins. */
const BUILT_IN_LOG_DRIVERS = ['none'];

/** Why the host cannot run this container, or undefined when it can. */
export function hostProblem(
  body: ContainerCreateBody,
  volumes: readonly VolumePlan[],
  host: HostFacts,
): string | undefined {
  const logDriver = body.HostConfig?.LogConfig?.Type;
  if (
    logDriver !== undefined &&
    logDriver !== '' &&
    !host.logDrivers.includes(logDriver) &&
    !BUILT_IN_LOG_DRIVERS.includes(logDriver)
  ) {
    return `log driver "${logDriver}" is not available on this host (dockerd has: ${[...host.logDrivers, ...BUILT_IN_LOG_DRIVERS].join(', ')})`;
  }
  for (const v of volumes) {
    if (v.kind === 'docker' && v.driver !== LOCAL_VOLUME_DRIVER && !host.volumeDrivers.includes(v.driver)) {
      return `volume driver "${v.driver}" of volume ${v.volume} is not installed on this host (dockerd has: ${host.volumeDrivers.join(', ')})`;
    }
  }
  return undefined;
}
