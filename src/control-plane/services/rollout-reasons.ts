import { messages } from '../../scheduler/reconcile/index.js';

/** "ECS deployment ecs-svc/... in progress.": the reason of every new deployment's IN_PROGRESS state. */
export const ROLLOUT_REASON_IN_PROGRESS = messages.ROLLOUT_REASONS.inProgress;
export const ROLLOUT_REASON_ROLLBACK = messages.ROLLOUT_REASONS.rollback;
