import { REASONS } from '../reasons.js';
import type { Checker } from './checker.js';

/**
 * Only ACTIVE instances take new tasks: a DRAINING one is being emptied on purpose, an INACTIVE one has been
 * deregistered. ECS documents no failure reason for these; Berth reports the status itself, which names the
 * fix (UpdateContainerInstancesState back to ACTIVE, or another instance).
 */
export const instanceActive: Checker = {
  name: 'instance-active',
  check: (instance) =>
    instance.status === 'ACTIVE'
      ? undefined
      : instance.status === 'DRAINING'
        ? REASONS.draining
        : REASONS.inactive,
};
