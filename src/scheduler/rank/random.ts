import type { Ranker } from './ranker.js';

/** random: "place tasks randomly"; drawn from the decision's seeded generator, so a run can be replayed. */
export const randomRanker: Ranker = {
  name: 'random',
  score: (candidates, { random }) => candidates.map(() => random()),
};
