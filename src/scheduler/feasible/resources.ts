/**
 * CPU, memory and GPU: what the task reserves must fit in what the instance registered minus what its tasks
 * already hold. A task reserving nothing (no cpu anywhere) always fits, as in ECS.
 */
import { REASONS } from '../reasons.js';
import { freeGpuIds, remainingCpu, remainingMemory } from '../snapshot.js';
import type { Checker } from './checker.js';

export const cpuFits: Checker = {
  name: 'cpu',
  check: (instance, task) => (task.cpu === 0 || task.cpu <= remainingCpu(instance) ? undefined : REASONS.cpu),
};

export const memoryFits: Checker = {
  name: 'memory',
  check: (instance, task) =>
    task.memory === 0 || task.memory <= remainingMemory(instance) ? undefined : REASONS.memory,
};

export const gpusFree: Checker = {
  name: 'gpu',
  check: (instance, task) =>
    task.gpus === 0 || task.gpus <= freeGpuIds(instance).length ? undefined : REASONS.gpu,
};
