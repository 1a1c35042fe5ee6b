/**
 * Which container instance a caller means. ECS accepts the id (`0123...cdef`) or the ARN, long
 * (`container-instance/CLUSTER/ID`) or old short (`container-instance/ID`) format. Instances belong to one
 * cluster: an ARN naming another cluster, region or account is simply not found in this one.
 */
import type { ClusterRecord } from '../../domain/cluster-record.js';
import type { InstanceRecord } from '../../domain/instance-record.js';
import type { Store } from '../store/types.js';
import type { RequestContext } from '../context.js';

/** Ids Berth issues are 32 hex digits; older ECS ids were UUIDs. Anything else can't name an instance. */
const ID = /^[A-Za-z0-9-]{1,64}$/;

export interface InstanceRef {
  /** The canonical ARN the reference means in this cluster, or undefined when it can't mean one. */
  readonly arn: string | undefined;
  /** The ARN to name in a `failures` entry: the one given, or the one built from the id. */
  readonly reported: string;
}

export function instanceRef(ctx: RequestContext, cluster: ClusterRecord, ref: string): InstanceRef {
  const clusterName = cluster.clusterName;
  if (!ref.startsWith('arn:')) {
    const arn = ctx.arns.containerInstance(clusterName, ref);
    return { arn: ID.test(ref) ? arn : undefined, reported: arn };
  }
  const parsed = ctx.arns.parseOwn(ref);
  if (parsed?.resourceType !== 'container-instance') return { arn: undefined, reported: ref };
  const [first, second] = parsed.path;
  const id =
    parsed.path.length === 1 ? first : parsed.path.length === 2 && first === clusterName ? second : '';
  return {
    arn: id !== undefined && ID.test(id) ? ctx.arns.containerInstance(clusterName, id) : undefined,
    reported: ref,
  };
}

/** The instance `ref` names in `cluster` (any status, INACTIVE included), or undefined. */
export async function findInstance(
  ctx: RequestContext,
  store: Store,
  cluster: ClusterRecord,
  ref: string,
): Promise<InstanceRecord | undefined> {
  const { arn } = instanceRef(ctx, cluster, ref);
  return arn === undefined ? undefined : store.containerInstances.get(arn);
}

/** The id part of an instance ARN, for messages. */
export function instanceId(arn: string | undefined): string {
  return (arn ?? '').split('/').pop() ?? '';
}
