/**
 * Names of ECS resources. ECS documents one rule for clusters, services, task definition families, containers
 * and volumes ("up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens"); the model
 * carries no pattern, so the rule lives here, once, with the message a user sees.
 */
import { invalidParameter } from '../../ecs/errors.js';

export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

const LABELS = {
  cluster: 'Cluster name',
  service: 'Service name',
  family: 'Family',
  container: 'Container name',
  volume: 'Volume name',
  capacityProvider: 'Capacity provider name',
  taskSet: 'Task set name',
} as const;

export type NameKind = keyof typeof LABELS;

export function isValidName(value: string): boolean {
  return NAME_PATTERN.test(value);
}

/** Throws InvalidParameterException unless `value` is 1-255 letters, numbers, hyphens and underscores. */
export function validateName(kind: NameKind, value: string | undefined): asserts value is string {
  if (value !== undefined && isValidName(value)) return;
  const label = LABELS[kind];
  const got =
    value === undefined || value === ''
      ? 'it is empty'
      : value.length > 255
        ? `it has ${value.length} characters`
        : `got '${preview(value)}'`;
  throw invalidParameter(
    `${label} must be 1-255 characters: letters, numbers, hyphens and underscores (${got}).`,
  );
}

/** Keeps messages short when someone pastes a whole document into a name. */
function preview(value: string): string {
  return value.length > 64 ? `${value.slice(0, 61)}...` : value;
}
