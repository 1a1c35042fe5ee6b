import { remainingCpu, remainingMemory } from '../snapshot.js';
import type { Ranker } from './ranker.js';

/**
 * binpack: "place tasks on the instance with the least available amount of the given resource" that still
 * fits (ECS task placement strategies), to use as few instances as possible. The score is what would be left
 * after placing the task, so the fullest instance that fits wins.
 */
export function binpack(field: 'cpu' | 'memory'): Ranker {
  return {
    name: `binpack(${field})`,
    score: (candidates, { task }) =>
      candidates.map((i) =>
        field === 'cpu' ? remainingCpu(i) - task.cpu : remainingMemory(i) - task.memory,
      ),
  };
}
