/**
 * Tags as every ECS resource takes them (Tag shape and RegisterTaskDefinitionRequest.tags documentation):
 * at most 50 per resource, keys 1-128 and values 0-256 characters from a fixed Unicode class, case-sensitive
 * keys, and the `aws:` prefix reserved for AWS (in any case, as the AWS tagging rules say).
 */
import type { Tag } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../ecs/errors.js';

export const MAX_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

const TAG_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const ALLOWED = 'letters, numbers, spaces and _ . : / = + - @';

/** Keys starting with `aws:` belong to AWS (and to Berth's managed tags); users may neither set nor remove them. */
export function isReservedTagKey(key: string): boolean {
  return key.toLowerCase().startsWith('aws:');
}

/** Validates the tags a caller asks to put on a resource. Duplicate keys are an error, not a silent overwrite. */
export function validateTags(tags: readonly Tag[] | undefined): void {
  if (tags === undefined) return;
  if (tags.length > MAX_TAGS) {
    throw invalidParameter(`Too many tags: ${tags.length} given, a resource can have at most ${MAX_TAGS}.`);
  }
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = tag.key;
    checkKey(key);
    if (seen.has(key)) {
      throw invalidParameter(`Tag key '${key}' appears more than once. Give each tag key once.`);
    }
    seen.add(key);
    const value = tag.value ?? '';
    if (length(value) > MAX_TAG_VALUE_LENGTH) {
      throw invalidParameter(`Tag value for key '${key}' is longer than ${MAX_TAG_VALUE_LENGTH} characters.`);
    }
    if (!TAG_PATTERN.test(value)) {
      throw invalidParameter(`Tag value for key '${key}' may contain only ${ALLOWED}.`);
    }
  }
}

/** Validates the keys of UntagResource: the same key rules, and reserved keys cannot be removed. */
export function validateTagKeys(keys: readonly string[] | undefined): void {
  if (keys === undefined) return;
  for (const key of keys) checkKey(key);
}

function checkKey(key: string | undefined): asserts key is string {
  if (key === undefined || key === '') {
    throw invalidParameter('Tag keys must not be empty.');
  }
  if (length(key) > MAX_TAG_KEY_LENGTH) {
    throw invalidParameter(
      `Tag key '${key.slice(0, 32)}...' is longer than ${MAX_TAG_KEY_LENGTH} characters.`,
    );
  }
  if (!TAG_PATTERN.test(key)) {
    throw invalidParameter(`Tag key '${key}' may contain only ${ALLOWED}.`);
  }
  if (isReservedTagKey(key)) {
    throw invalidParameter(`Tag keys starting with 'aws:' are reserved (got '${key}'). Use another prefix.`);
  }
}

/** AWS counts tag lengths in Unicode code points, not UTF-16 units: a character outside the BMP counts once. */
function length(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
