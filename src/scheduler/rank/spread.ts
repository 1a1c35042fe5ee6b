import type { InstanceState } from '../snapshot.js';
import type { Ranker } from './ranker.js';

/**
 * spread: "place tasks evenly based on the specified value" (ECS task placement strategies). Standalone tasks
 * spread relative to the other tasks of their task group, a service's relative to the service's (its group
 * `service:<name>`), so the score counts the group's desired-RUNNING tasks:
 * - `instanceId` / `host`: on the candidate itself;
 * - `attribute:<name>`: on every instance of the cluster sharing the candidate's value of that attribute, so
 *   the values take turns (an instance without the attribute is in a bucket of its own kind).
 */
export function spread(field: string): Ranker {
  if (field === 'instanceId' || field === 'host') {
    return {
      name: `spread(${field})`,
      score: (candidates, { task }) => candidates.map((i) => i.groups.get(task.group) ?? 0),
    };
  }
  const attribute = field.startsWith('attribute:') ? field.slice('attribute:'.length) : field;
  const bucket = (i: InstanceState): string => {
    const value = i.attributes.has(attribute) ? (i.attributes.get(attribute) ?? '') : undefined;
    // A prefix keeps "attribute absent" apart from every real value, including the empty one.
    return value === undefined ? 'absent' : `value:${value}`;
  };
  return {
    name: `spread(${field})`,
    score(candidates, { snapshot, task }) {
      const perValue = new Map<string, number>();
      for (const i of snapshot.instances) {
        const key = bucket(i);
        perValue.set(key, (perValue.get(key) ?? 0) + (i.groups.get(task.group) ?? 0));
      }
      return candidates.map((i) => perValue.get(bucket(i)) ?? 0);
    },
  };
}
