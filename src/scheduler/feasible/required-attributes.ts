import { REASONS } from '../reasons.js';
import type { Checker } from './checker.js';

/**
 * The task definition's `requiresAttributes` (capabilities such as a logging driver or Docker API version)
 * must all be registered by the instance, with the same value when one is required: otherwise its agent
 * could not run the task. ECS's reason is ATTRIBUTE.
 */
export const requiredAttributes: Checker = {
  name: 'required-attributes',
  check(instance, task) {
    for (const required of task.requiresAttributes) {
      if (!instance.attributes.has(required.name)) return REASONS.attribute;
      if (required.value !== undefined && instance.attributes.get(required.name) !== required.value)
        return REASONS.attribute;
    }
    return undefined;
  },
};
