import { ApiError } from '../../../../ecs/errors.js';
import type { ManagedInstanceFilter } from '../../../store/types.js';
import { defineOperation } from '../../operation.js';
import { type RequestContext } from '../../../context.js';
import { narrow, ssmNextToken, ssmPageRequest } from '../common.js';
import type { DescribeInstanceInformationRequest, DescribeInstanceInformationResult } from '../types.js';
import { instanceInformation } from './view.js';

/** SSM's largest page; the CLI pages on by itself. */
const DEFAULT_PAGE_SIZE = 50;
/** The model's InstanceId pattern: EC2 ids can be named, and simply match no managed instance. */
const INSTANCE_ID = /^(i-(\w{8}|\w{17})|mi-\w{17})$/;

const ENUMS: Readonly<Record<string, readonly string[]>> = {
  PingStatus: ['Online', 'ConnectionLost', 'Inactive'],
  PlatformTypes: ['Windows', 'Linux', 'MacOS'],
  ResourceType: ['ManagedInstance', 'EC2Instance'],
};

/** What a request's filters leave: a store filter, or nothing at all (e.g. PlatformTypes=Windows). */
type Selection = ManagedInstanceFilter | 'none';

/**
 * DescribeInstanceInformation over the registered managed instances. Both filter styles are accepted
 * (`InstanceInformationFilterList` is SSM's legacy one); all filters must hold, and the values of one filter
 * are alternatives.
 */
export const describeInstanceInformation = defineOperation<
  DescribeInstanceInformationRequest,
  DescribeInstanceInformationResult
>({
  name: 'DescribeInstanceInformation',
  access: 'admin',
  async handle(input, ctx) {
    const filters = [
      ...(input.InstanceInformationFilterList ?? []).map((f) => ({ key: f.key, values: f.valueSet })),
      ...(input.Filters ?? []).map((f) => ({ key: f.Key, values: f.Values })),
    ];
    const request = ssmPageRequest(input.MaxResults, input.NextToken, DEFAULT_PAGE_SIZE);
    const selection = select(ctx, filters);
    if (selection === 'none') return { InstanceInformationList: [] };
    const page = await ctx.store.managedInstances.list(selection, request);
    return {
      InstanceInformationList: page.items.map((m) => instanceInformation(ctx, m)),
      ...ssmNextToken(page),
    };
  },
});

function select(
  ctx: RequestContext,
  filters: readonly { key: string; values: readonly string[] }[],
): Selection {
  let instanceIds: string[] | undefined;
  let activationIds: string[] | undefined;
  let iamRoles: string[] | undefined;
  let agentVersions: string[] | undefined;
  let pingStatuses: string[] | undefined;
  let none = false;
  for (const { key, values } of filters) {
    const allowed = Object.hasOwn(ENUMS, key) ? ENUMS[key] : undefined;
    const wrong = allowed === undefined ? undefined : values.find((v) => !allowed.includes(v));
    if (wrong !== undefined) {
      throw invalidValue(`'${wrong}' is not a valid ${key} value; use ${allowed?.join(', ')}.`);
    }
    switch (key) {
      case 'InstanceIds': {
        const bad = values.find((v) => !INSTANCE_ID.test(v));
        if (bad !== undefined) {
          throw invalidValue(`'${bad}' is not an instance id (managed instances: mi- and 17 hex digits).`);
        }
        instanceIds = narrow(instanceIds, values);
        break;
      }
      case 'ActivationIds':
        activationIds = narrow(activationIds, values);
        break;
      case 'IamRole':
        iamRoles = narrow(iamRoles, values);
        break;
      case 'AgentVersion':
        agentVersions = narrow(agentVersions, values);
        break;
      case 'PingStatus':
        pingStatuses = narrow(pingStatuses, values);
        break;
      // Every Berth instance is a Linux managed instance with no associations.
      case 'PlatformTypes':
        none ||= !values.includes('Linux');
        break;
      case 'ResourceType':
        none ||= !values.includes('ManagedInstance');
        break;
      case 'AssociationStatus':
        none = true;
        break;
      default:
        throw new ApiError(
          'InvalidFilterKey',
          `Unsupported filter key '${key}'. Use InstanceIds, ActivationIds, IamRole, AgentVersion, PingStatus, ` +
            'PlatformTypes or ResourceType (Berth does not filter instances by tag).',
        );
    }
  }
  const pinged = pingFilter(ctx, pingStatuses);
  if (none || pinged === 'none') return 'none';
  return {
    ...(instanceIds && { instanceIds }),
    ...(activationIds && { activationIds }),
    ...(iamRoles && { iamRoles }),
    ...(agentVersions && { agentVersions }),
    ...(pinged && { pinged }),
  };
}

/** Online and ConnectionLost split registered instances by their last ping; none of them is Inactive. */
function pingFilter(
  ctx: RequestContext,
  statuses: readonly string[] | undefined,
): ManagedInstanceFilter['pinged'] | 'none' {
  if (statuses === undefined) return undefined;
  const online = statuses.includes('Online');
  const lost = statuses.includes('ConnectionLost');
  if (online && lost) return undefined;
  if (!online && !lost) return 'none';
  return { since: new Date(ctx.now().getTime() - ctx.runtime.pingTimeoutMs), online };
}

function invalidValue(message: string): ApiError {
  return new ApiError('InvalidInstanceInformationFilterValue', message);
}
