import { ApiError } from '../../../../ecs/errors.js';
import type { ActivationFilter } from '../../../store/types.js';
import { defineOperation } from '../../operation.js';
import { narrow, ssmNextToken, ssmPageRequest } from '../common.js';
import type {
  DescribeActivationsFilter,
  DescribeActivationsRequest,
  DescribeActivationsResult,
} from '../types.js';
import { activationView } from './view.js';

/** SSM's largest page, which is also its default here: the CLI pages on by itself. */
const DEFAULT_PAGE_SIZE = 50;

export const describeActivations = defineOperation<DescribeActivationsRequest, DescribeActivationsResult>({
  name: 'DescribeActivations',
  access: 'admin',
  async handle(input, ctx) {
    const filter = activationFilter(input.Filters ?? []);
    const page = await ctx.store.activations.list(
      filter,
      ssmPageRequest(input.MaxResults, input.NextToken, DEFAULT_PAGE_SIZE),
    );
    const list = [];
    for (const a of page.items) list.push(await activationView(ctx, a));
    return { ActivationList: list, ...ssmNextToken(page) };
  },
});

/** Filters are ANDed; the values of one filter are alternatives, as SSM reads them. */
function activationFilter(filters: readonly DescribeActivationsFilter[]): ActivationFilter {
  let activationIds: string[] | undefined;
  let defaultInstanceNames: string[] | undefined;
  let iamRoles: string[] | undefined;
  for (const f of filters) {
    if (f.FilterKey === undefined) {
      throw new ApiError(
        'InvalidFilter',
        'Each filter needs a FilterKey: ActivationIds, DefaultInstanceName or IamRole.',
      );
    }
    const values = f.FilterValues ?? [];
    if (values.length === 0) {
      throw new ApiError(
        'InvalidFilter',
        `The ${f.FilterKey} filter needs at least one value in FilterValues.`,
      );
    }
    if (f.FilterKey === 'ActivationIds') activationIds = narrow(activationIds, values);
    else if (f.FilterKey === 'DefaultInstanceName')
      defaultInstanceNames = narrow(defaultInstanceNames, values);
    else iamRoles = narrow(iamRoles, values);
  }
  return {
    ...(activationIds && { activationIds }),
    ...(defaultInstanceNames && { defaultInstanceNames }),
    ...(iamRoles && { iamRoles }),
  };
}
