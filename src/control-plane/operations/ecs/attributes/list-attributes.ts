import type { Attribute, ListAttributesRequest, ListAttributesResponse } from '@aws-sdk/client-ecs';
import type { InstanceRecord } from '../../../../domain/instance-record.js';
import { invalidParameter } from '../../../../ecs/errors.js';
import { encodePageToken } from '../../../store/codec.js';
import type { ContainerInstanceFilter } from '../../../store/types.js';
import { defineOperation } from '../../operation.js';
import { pageRequest } from '../common.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { targeted } from './targets.js';
import type { InstanceStatus } from '../../../../domain/status.js';

/** Attributes of deregistered (INACTIVE) instances are not listed: those instances are no longer targets. */
const LISTED_STATUSES: InstanceStatus[] = [
  'ACTIVE',
  'DRAINING',
  'REGISTERING',
  'DEREGISTERING',
  'REGISTRATION_FAILED',
];
const SCAN_CHUNK = 100;

/**
 * One entry per attribute per instance, ordered by instance ARN, then attribute name. The page token is the
 * last (ARN, name) pair returned, so a page resumes inside an instance when it ended there.
 */
export const listAttributes = defineOperation<ListAttributesRequest, ListAttributesResponse>({
  name: 'ListAttributes',
  access: 'admin',
  async handle(input, ctx) {
    // targetType is required and can only be container-instance: the service model checks both.
    if (input.attributeValue !== undefined && input.attributeName === undefined) {
      throw invalidParameter('attributeValue can only be used together with attributeName.');
    }
    const page = pageRequest(input.maxResults, input.nextToken);
    const resume = page.after === undefined ? undefined : cursor(page.after);
    const cluster = await requireCluster(ctx, input.cluster);
    const filter: ContainerInstanceFilter = {
      clusterArn: cluster.clusterArn,
      statuses: LISTED_STATUSES,
    };

    const matches = (a: Attribute): boolean =>
      (input.attributeName === undefined || a.name === input.attributeName) &&
      (input.attributeValue === undefined || a.value === input.attributeValue);
    const out: Attribute[] = [];
    /** Adds the instance's matching attributes after `afterName`; true when the page filled up. */
    const take = (instance: InstanceRecord, afterName?: string): boolean => {
      const arn = instance.containerInstanceArn;
      const names = [...instance.attributes]
        .filter((a) => matches(a) && (afterName === undefined || (a.name ?? '') > afterName))
        .sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : 1));
      for (const a of names) {
        if (out.length === page.limit) return true;
        out.push(targeted(a, arn));
      }
      return false;
    };

    if (resume !== undefined) {
      const instance = await ctx.store.containerInstances.get(resume.arn);
      if (instance !== undefined && LISTED_STATUSES.includes(instance.status)) {
        if (take(instance, resume.name)) return withToken(out);
      }
    }
    let after = resume?.arn;
    for (;;) {
      const chunk = await ctx.store.containerInstances.list(filter, {
        limit: SCAN_CHUNK,
        ...(after !== undefined && { after }),
      });
      for (const instance of chunk.items) if (take(instance)) return withToken(out);
      if (chunk.nextKey === undefined) return { attributes: out };
      after = chunk.nextKey;
    }
  },
});

/** `out` is full and at least one more match exists (`take` saw it): point the token at the last one sent. */
function withToken(out: Attribute[]): ListAttributesResponse {
  const last = out[out.length - 1];
  return {
    attributes: out,
    ...(last && { nextToken: encodePageToken(`${last.targetId ?? ''} ${last.name ?? ''}`) }),
  };
}

/** ARNs and attribute names hold no spaces, so one separates them in the token. */
function cursor(key: string): { arn: string; name: string } {
  const space = key.indexOf(' ');
  if (space <= 0) {
    throw invalidParameter('Invalid nextToken: pass the nextToken of a previous response unchanged.');
  }
  return { arn: key.slice(0, space), name: key.slice(space + 1) };
}
