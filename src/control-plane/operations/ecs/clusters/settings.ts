import type { ClusterConfiguration, ClusterSetting } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../../../ecs/errors.js';

const CONTAINER_INSIGHTS_VALUES = ['enabled', 'disabled', 'enhanced'];

/** ECS knows one cluster setting, containerInsights; the last value given for it wins. */
export function mergeSettings(
  current: ClusterSetting[] | undefined,
  changes: ClusterSetting[],
): ClusterSetting[] {
  const merged = new Map((current ?? []).map((s) => [s.name, s.value]));
  for (const s of changes) {
    if (s.name === undefined || s.value === undefined) {
      throw invalidParameter('Each cluster setting needs a name and a value.');
    }
    if (!CONTAINER_INSIGHTS_VALUES.includes(s.value)) {
      throw invalidParameter(
        `Invalid value '${s.value}' for cluster setting ${s.name}. Valid values: ${CONTAINER_INSIGHTS_VALUES.join(', ')}.`,
      );
    }
    merged.set(s.name, s.value);
  }
  return [...merged].map(([name, value]) => ({ name, value }));
}

/** Execute-command logging to S3 or CloudWatch needs AWS; Berth keeps the configuration but checks its form. */
export function checkConfiguration(configuration: ClusterConfiguration | undefined): void {
  const exec = configuration?.executeCommandConfiguration;
  if (exec?.logging === 'OVERRIDE' && exec.logConfiguration === undefined) {
    throw invalidParameter(
      'executeCommandConfiguration.logConfiguration is required when logging is OVERRIDE.',
    );
  }
  if (exec?.logging !== undefined && exec.logging !== 'OVERRIDE' && exec.logConfiguration !== undefined) {
    throw invalidParameter(
      'executeCommandConfiguration.logConfiguration is only allowed when logging is OVERRIDE.',
    );
  }
}
