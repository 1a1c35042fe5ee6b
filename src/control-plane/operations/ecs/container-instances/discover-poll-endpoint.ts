import type { DiscoverPollEndpointRequest, DiscoverPollEndpointResponse } from '@aws-sdk/client-ecs';
import { clientError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { assertOwnInstance } from '../../../auth/assert-own-instance.js';
import { findInstance } from '../../../lookup/container-instance.js';
import { TELEMETRY_ENDPOINT_SUFFIX } from '../../../../acs/telemetry.js';

/**
 * DiscoverPollEndpoint: where an agent opens its session (`endpoint`, ECS's ACS) and sends telemetry
 * (`telemetryEndpoint`, ECS's TCS). Berth serves both on its own public URL, telemetry under `tcs/`: both
 * agents append `ws` to the endpoint, so the two sessions need different prefixes. An agent asking for a
 * container instance must own it.
 */
export const discoverPollEndpoint = defineOperation<
  DiscoverPollEndpointRequest,
  DiscoverPollEndpointResponse
>({
  name: 'DiscoverPollEndpoint',
  access: 'agent',
  async handle(input, ctx) {
    if (input.containerInstance !== undefined && input.containerInstance !== '') {
      const cluster = await requireCluster(ctx, input.cluster);
      const instance = await findInstance(ctx, ctx.store, cluster, input.containerInstance);
      if (instance === undefined) {
        throw clientError(
          `Container instance ${input.containerInstance} was not found in cluster ${cluster.clusterName}.`,
        );
      }
      assertOwnInstance(ctx, instance, 'DiscoverPollEndpoint');
    }
    const url = ctx.runtime.publicUrl;
    const base = url.endsWith('/') ? url : `${url}/`;
    return { endpoint: url, telemetryEndpoint: `${base}${TELEMETRY_ENDPOINT_SUFFIX}` };
  },
});
