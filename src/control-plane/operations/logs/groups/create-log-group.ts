import { ApiError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { invalidParameter } from '../common.js';

interface CreateLogGroupRequest {
  logGroupName: string;
  tags?: Record<string, string>;
  kmsKeyId?: string;
  logGroupClass?: string;
}

export const createLogGroup = defineOperation<CreateLogGroupRequest, Record<string, never>>({
  name: 'CreateLogGroup',
  // awslogs-create-group: an agent creates the group its task names.
  access: 'agent',
  async handle(input, ctx) {
    if (input.logGroupName.startsWith('aws/')) {
      throw invalidParameter('Log group names starting with aws/ are reserved for AWS services.');
    }
    if (input.logGroupClass !== undefined && input.logGroupClass !== 'STANDARD') {
      throw invalidParameter(`Berth stores every log group as STANDARD, not ${input.logGroupClass}.`);
    }
    const created = await ctx.runtime.logs.store.groups.create(
      input.logGroupName,
      ctx.now().getTime(),
      input.tags ?? {},
    );
    if (!created) {
      throw new ApiError('ResourceAlreadyExistsException', 'The specified log group already exists');
    }
    return {};
  },
});
