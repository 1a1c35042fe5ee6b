import type { ListTaskDefinitionsRequest, ListTaskDefinitionsResponse } from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { nextTokenOf, pageRequest } from '../common.js';

/**
 * ECS's `familyPrefix` here is, despite its name, the full family name ("Specifying a familyPrefix limits the
 * listed task definitions to task definition revisions that belong to that family"): `web` does not list
 * `web-api`. ListTaskDefinitionFamilies is where prefixes match. Ordered by family, then numeric revision;
 * DESC reverses both, so each family's newest revision comes first.
 */
export const listTaskDefinitions = defineOperation<ListTaskDefinitionsRequest, ListTaskDefinitionsResponse>({
  name: 'ListTaskDefinitions',
  access: 'admin',
  async handle(input, ctx) {
    const page = await ctx.store.taskDefinitions.list(
      {
        ...(input.familyPrefix !== undefined && input.familyPrefix !== '' && { family: input.familyPrefix }),
        status: input.status ?? 'ACTIVE',
      },
      input.sort === 'DESC',
      pageRequest(input.maxResults, input.nextToken),
    );
    return {
      taskDefinitionArns: page.items.map((d) => d.taskDefinitionArn ?? ''),
      ...nextTokenOf(page),
    };
  },
});
