/**
 * Placement constraints, binding rules the user wrote (task definition and request): `memberOf` selects
 * instances with the cluster query language, `distinctInstance` keeps the tasks of a group on different
 * instances. Reasons are ECS's own sentences.
 */
import { REASONS } from '../reasons.js';
import { queryView } from '../snapshot.js';
import type { Checker } from './checker.js';

export const memberOf: Checker = {
  name: 'member-of',
  check(instance, task) {
    if (task.memberOf.length === 0) return undefined;
    const view = queryView(instance);
    return task.memberOf.every((c) => c.matches(view)) ? undefined : REASONS.memberOf;
  },
};

/**
 * ECS: "distinctInstance: place each task in a particular group on a different container instance", so an
 * instance already running a task of the group (from earlier, or from earlier in this batch) is out.
 */
export const distinctInstance: Checker = {
  name: 'distinct-instance',
  check: (instance, task) =>
    !task.distinctInstance || (instance.groups.get(task.group) ?? 0) === 0
      ? undefined
      : REASONS.distinctInstance,
};
