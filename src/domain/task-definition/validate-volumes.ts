/** Task volumes and the containers' mount points into them. */
import type { ContainerDefinition, Volume } from '@aws-sdk/client-ecs';
import { validateName } from '../validate/names.js';
import { clientError } from '../../ecs/errors.js';
import { containerError } from './facts.js';

const VOLUME_KINDS = [
  'host',
  'dockerVolumeConfiguration',
  'efsVolumeConfiguration',
  'fsxWindowsFileServerVolumeConfiguration',
  's3filesVolumeConfiguration',
] as const;

/** Checks the task's volumes and returns their names. EFS, FSx and S3 Files are judged by compatibilities.ts. */
export function validateVolumes(volumes: readonly Volume[]): ReadonlySet<string> {
  const names = new Set<string>();
  for (const v of volumes) {
    // The model leaves `name` optional, but an unnamed volume can never be mounted, so ECS users always name one.
    const name = v.name;
    validateName('volume', name);
    if (names.has(name))
      throw clientError(`Volume name '${name}' is used more than once. Volume names must be unique.`);
    names.add(name);

    const kinds: string[] = VOLUME_KINDS.filter((k) => v[k] !== undefined);
    if (v.configuredAtLaunch === true) kinds.push('configuredAtLaunch');
    if (kinds.length > 1) {
      throw clientError(
        `Volume '${name}' sets ${kinds.join(' and ')}. Give only one kind of volume configuration.`,
      );
    }
    if (v.host?.sourcePath !== undefined && v.host.sourcePath.trim() === '') {
      throw clientError(
        `Volume '${name}' has an empty host.sourcePath. Give an absolute path or omit sourcePath.`,
      );
    }
    const docker = v.dockerVolumeConfiguration;
    if (docker !== undefined) {
      if (docker.autoprovision === true && docker.scope !== 'shared') {
        throw clientError(
          `Volume '${name}' sets autoprovision, which only applies to Docker volumes with scope 'shared'. ` +
            "Set scope to 'shared' or remove autoprovision.",
        );
      }
      if (docker.driver !== undefined && docker.driver.trim() === '') {
        throw clientError(
          `Volume '${name}' has an empty dockerVolumeConfiguration.driver. Omit it for 'local'.`,
        );
      }
    }
  }
  return names;
}

export function validateMountPoints(c: ContainerDefinition, volumeNames: ReadonlySet<string>): void {
  const paths = new Set<string>();
  for (const m of c.mountPoints ?? []) {
    if (m.sourceVolume === undefined || !volumeNames.has(m.sourceVolume)) {
      const known =
        volumeNames.size > 0 ? `Task volumes: ${[...volumeNames].join(', ')}.` : 'The task has none.';
      throw containerError(
        c,
        `mountPoints sourceVolume '${m.sourceVolume ?? ''}' is not a volume of the task. ` +
          `Add it to 'volumes' or fix the name. ${known}`,
      );
    }
    if (!m.containerPath) {
      throw containerError(c, `The mount point of volume '${m.sourceVolume}' needs a 'containerPath'.`);
    }
    if (paths.has(m.containerPath)) {
      throw containerError(c, `containerPath '${m.containerPath}' is mounted more than once.`);
    }
    paths.add(m.containerPath);
  }
}
