/**
 * The SSM subset Berth serves on the same endpoint as ECS (`X-Amz-Target: AmazonSSM.*`, signing name `ssm`):
 * hybrid activations and managed instances for administrators, and the two agent-side operations through
 * which a host registers and obtains its credentials.
 */
import type { ServiceDefinition } from '../operation.js';
import { createActivation } from './activations/create-activation.js';
import { deleteActivation } from './activations/delete-activation.js';
import { describeActivations } from './activations/describe-activations.js';
import { registerManagedInstance } from './agent/register-managed-instance.js';
import { requestManagedInstanceRoleToken } from './agent/request-managed-instance-role-token.js';
import { deregisterManagedInstance } from './instances/deregister-managed-instance.js';
import { describeInstanceInformation } from './instances/describe-instance-information.js';
import { berthSsmModel } from './model.js';
import { addTagsToResource, listTagsForResource, removeTagsFromResource } from './tags/tag-operations.js';

const operations = [
  createActivation,
  describeActivations,
  deleteActivation,
  describeInstanceInformation,
  deregisterManagedInstance,
  addTagsToResource,
  removeTagsFromResource,
  listTagsForResource,
  registerManagedInstance,
  requestManagedInstanceRoleToken,
];

export const ssmService: ServiceDefinition = {
  targetPrefix: 'AmazonSSM',
  signingName: 'ssm',
  model: berthSsmModel,
  operations: new Map(operations.map((op) => [op.name, op])),
  internalErrorCode: 'InternalServerError',
};

export { isManagedInstanceActive, markInstancePing } from './instances/ping.js';
