/**
 * The resources PutAttributes and DeleteAttributes write to. ECS has one target type, `container-instance`
 * (the model's enum, checked before handlers run); a target is named by id (then `targetType` is required, as ECS documents) or by ARN, and must be a
 * registered (not INACTIVE) instance of the request's cluster.
 */
import type { Attribute } from '@aws-sdk/client-ecs';
import type { ClusterRecord } from '../../../../domain/cluster-record.js';
import type { InstanceRecord } from '../../../../domain/instance-record.js';
import { ApiError, invalidParameter } from '../../../../ecs/errors.js';
import type { Store } from '../../../store/types.js';
import type { RequestContext } from '../../../context.js';
import { checkBatch } from '../common.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { findInstance } from '../../../lookup/container-instance.js';
import {
  checkAttributeName,
  isCustomAttribute,
  MAX_ATTRIBUTES_PER_CALL,
  TARGET_TYPE,
} from '../../../../domain/validate/attributes.js';

/** The attributes of one call that go to one instance, in call order. */
export interface TargetChanges {
  readonly instance: InstanceRecord;
  readonly attributes: Attribute[];
}

/** Checks what every attribute write needs before anything is read: batch size, names, targets given. */
export function checkWrites(attributes: readonly Attribute[]): void {
  checkBatch('attributes', attributes, MAX_ATTRIBUTES_PER_CALL);
  for (const a of attributes) {
    checkAttributeName(a.name);
    if (!isCustomAttribute(a.name)) {
      throw invalidParameter(
        `Attribute '${a.name}' is reserved: names under 'ecs.' and 'com.amazonaws.ecs.' are set by the ` +
          `container agent when it registers. Use another name (e.g. 'site.zone').`,
      );
    }
    if (a.targetId === undefined || a.targetId === '') {
      throw invalidParameter(
        `Attribute '${a.name}' needs a targetId: the id or ARN of a container instance.`,
      );
    }
    if (!a.targetId.startsWith('arn:') && a.targetType === undefined) {
      throw invalidParameter(
        `Attribute '${a.name}' names its target by the short id '${a.targetId}'; give targetType ` +
          `${TARGET_TYPE} too, or use the container instance ARN.`,
      );
    }
  }
}

/** Groups the attributes by the instance they target; inside a transaction, with `store` the transaction. */
export async function targetsOf(
  ctx: RequestContext,
  store: Store,
  clusterName: string | undefined,
  attributes: readonly Attribute[],
): Promise<{ cluster: ClusterRecord; targets: Map<string, TargetChanges> }> {
  const cluster = await requireCluster({ ...ctx, store }, clusterName);
  const targets = new Map<string, TargetChanges>();
  for (const a of attributes) {
    const targetId = a.targetId ?? '';
    const instance = await findInstance(ctx, store, cluster, targetId);
    if (instance === undefined || instance.status === 'INACTIVE') {
      throw new ApiError(
        'TargetNotFoundException',
        `Could not find container instance ${targetId} in cluster ${cluster.clusterName}. ` +
          'Container instances belong to one cluster; list them with ListContainerInstances.',
      );
    }
    const arn = instance.containerInstanceArn;
    const group = targets.get(arn) ?? { instance, attributes: [] };
    group.attributes.push(a);
    targets.set(arn, group);
  }
  return { cluster, targets };
}

/** An attribute as Put/Delete/ListAttributes return it: with its target spelled out as an ARN. */
export function targeted(attribute: Attribute, instanceArn: string): Attribute {
  return {
    name: attribute.name,
    ...(attribute.value !== undefined && { value: attribute.value }),
    targetType: TARGET_TYPE,
    targetId: instanceArn,
  };
}
