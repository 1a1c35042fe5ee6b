/**
 * Container instance attributes as ECS documents them (Attribute shape): names of 1-128 letters, numbers,
 * hyphens, underscores, slashes, backslashes and periods; optional values of 1-128 letters, numbers and
 * `- _ . @ / \ :` or spaces, not starting or ending with a space; at most 10 custom attributes per resource.
 *
 * Attributes under `ecs.` and `com.amazonaws.ecs.` are the ones the container agent reports (os type, CPU
 * architecture, capabilities): they do not count towards the custom limit, and only a registration may set
 * them, because placement and `requiresAttributes` trust them to describe what the host can really do.
 */
import type { Attribute } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../ecs/errors.js';

export const MAX_CUSTOM_ATTRIBUTES = 10;
export const MAX_ATTRIBUTES_PER_CALL = 10;
export const TARGET_TYPE = 'container-instance';

const NAME = /^[A-Za-z0-9\-_/\\.]{1,128}$/;
const VALUE = /^[A-Za-z0-9\-_.@/\\: ]{1,128}$/;
const RESERVED_PREFIXES = ['ecs.', 'com.amazonaws.ecs.'];

/** Whether an attribute counts towards the limit of custom attributes (the agent's own ones do not). */
export function isCustomAttribute(name: string): boolean {
  return !RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

export function checkAttributeName(name: string | undefined): asserts name is string {
  if (name === undefined || name === '') throw invalidParameter('Attribute names must not be empty.');
  if (!NAME.test(name)) {
    throw invalidParameter(
      `Invalid attribute name '${preview(name)}': use 1-128 letters, numbers, hyphens, underscores, ` +
        `forward slashes, back slashes or periods.`,
    );
  }
}

/**
 * An empty value is treated as no value: the agent reports capabilities by name only, and an empty string
 * carries no more information than an absent one.
 */
export function normalizedValue(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function checkAttributeValue(name: string, value: string | undefined): void {
  if (value === undefined) return;
  if (value.startsWith(' ') || value.endsWith(' ')) {
    throw invalidParameter(`Invalid value for attribute '${name}': it can't start or end with a space.`);
  }
  if (!VALUE.test(value)) {
    throw invalidParameter(
      `Invalid value '${preview(value)}' for attribute '${name}': use 1-128 letters, numbers, spaces ` +
        `and - _ . @ / \\ :`,
    );
  }
}

/** Validates one attribute's name and value and returns it as stored: name, and value if it has one. */
export function storedAttribute(attribute: Attribute): Attribute {
  checkAttributeName(attribute.name);
  const value = normalizedValue(attribute.value);
  checkAttributeValue(attribute.name, value);
  return value === undefined ? { name: attribute.name } : { name: attribute.name, value };
}

export function countCustom(attributes: readonly Attribute[]): number {
  return attributes.filter((a) => isCustomAttribute(a.name ?? '')).length;
}

/** `current` with `changes` applied: same-named attributes are replaced in place, new ones appended. */
export function mergeAttributes(current: readonly Attribute[], changes: readonly Attribute[]): Attribute[] {
  const merged = new Map(current.map((a) => [a.name ?? '', a]));
  for (const change of changes) merged.set(change.name ?? '', change);
  return [...merged.values()];
}

function preview(value: string): string {
  return value.length > 64 ? `${value.slice(0, 61)}...` : value;
}
