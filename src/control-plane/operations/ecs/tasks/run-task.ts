import type { RunTaskRequest, RunTaskResponse } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { requestHash, validateClientToken } from '../../../tasks/client-token.js';
import { createTasks } from '../../../tasks/place.js';
import { taskViews } from './view.js';
import { validateConstraints, validateStrategies } from '../../../tasks/placement-input.js';
import { validateSharedInput } from '../../../tasks/run-input.js';

/** ECS quota: tasks launched per run-task (not adjustable). */
export const MAX_RUN_COUNT = 10;

/**
 * RunTask: the scheduler picks instances for `count` copies of a task. Berth runs tasks on EXTERNAL (ECS
 * Anywhere) instances only, so launchType may be omitted or EXTERNAL; anything else is refused with the
 * reason, as is a capacity provider strategy (Berth has no capacity providers). Tasks that fit nowhere come
 * back in `failures`, one entry per instance with the reason it refused the task.
 */
export const runTask = defineOperation<RunTaskRequest, RunTaskResponse>({
  name: 'RunTask',
  access: 'admin',
  async handle(input, ctx) {
    const count = input.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_RUN_COUNT) {
      throw invalidParameter(`count must be between 1 and ${MAX_RUN_COUNT}; got ${count}.`);
    }
    checkLaunchType(input);
    const shared = validateSharedInput(input);
    const constraints = validateConstraints(input.placementConstraints);
    const strategies = validateStrategies(input.placementStrategy);
    const token = validateClientToken(input.clientToken);
    const { tasks, failures } = await createTasks(ctx, {
      operation: 'RunTask',
      cluster: input.cluster,
      input: shared,
      target: { kind: 'place', count, strategies, constraints },
      ...(token !== undefined && { clientToken: { token, requestHash: requestHash(input) } }),
    });
    return { tasks: await taskViews(ctx, tasks), failures };
  },
});

function checkLaunchType(input: RunTaskRequest): void {
  const providers = input.capacityProviderStrategy ?? [];
  if (input.launchType !== undefined && providers.length > 0) {
    // ECS's sentence.
    throw invalidParameter('Specifying both a launch type and capacity provider strategy is not supported.');
  }
  if (providers.length > 0) {
    throw invalidParameter(
      "Berth has no capacity providers: tasks run on the cluster's EXTERNAL (ECS Anywhere) instances. " +
        'Remove capacityProviderStrategy (launchType EXTERNAL is the default).',
    );
  }
  if (input.launchType !== undefined && input.launchType !== 'EXTERNAL') {
    throw invalidParameter(
      `Launch type ${input.launchType} is not available: Berth runs tasks on EXTERNAL (ECS Anywhere) ` +
        'instances registered to the cluster. Use launchType EXTERNAL, or omit it.',
    );
  }
  if (input.platformVersion !== undefined) {
    throw invalidParameter(
      'platformVersion applies only to tasks on Fargate; tasks on EXTERNAL instances have none. Remove it.',
    );
  }
}
