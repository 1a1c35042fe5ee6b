import type {
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionFamiliesResponse,
} from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { nextTokenOf, pageRequest } from '../common.js';

/**
 * Families whose names start with `familyPrefix`, by name. Status is the family's, as ECS defines it: ACTIVE
 * families have at least one ACTIVE revision, INACTIVE ones none, and with no status (or ALL) both are listed
 * (the ECS model: "By default, both ACTIVE and INACTIVE task definition families are listed").
 */
export const listTaskDefinitionFamilies = defineOperation<
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionFamiliesResponse
>({
  name: 'ListTaskDefinitionFamilies',
  access: 'admin',
  async handle(input, ctx) {
    const status = input.status === 'ALL' ? undefined : input.status;
    const prefix = input.familyPrefix === '' ? undefined : input.familyPrefix;
    const page = await ctx.store.taskDefinitions.listFamilies(
      prefix,
      status,
      pageRequest(input.maxResults, input.nextToken),
    );
    return { families: page.items, ...nextTokenOf(page) };
  },
});
