/**
 * Records carry Berth's own state next to ECS's members (`domain/*-record.ts`); an answer shows only ECS's.
 * A renderer copies the members its SDK shape names, so internal state never reaches an answer by being
 * forgotten, and a member the SDK adds fails to compile until someone decides whether to show it. Members
 * keep the record's order, which is the order answers have always had on the wire.
 */

/** Every member of `T`, named once: what a renderer copies. */
export type Members<T> = { readonly [K in keyof Required<T>]: true };

export function copyMembers<T extends object>(record: object, members: Members<T>): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (Object.hasOwn(members, key)) out[key] = value;
  }
  return out as T;
}
