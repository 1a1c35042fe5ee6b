/**
 * Which service a `service` parameter names (its name, or its ARN in the long format) within a cluster, and
 * the record behind it. Absent services are ServiceNotFoundException ("Service not found.", ECS's words).
 */
import type { ClusterRecord } from '../../domain/cluster-record.js';
import type { ServiceRecord } from '../../domain/service-record.js';
import { ApiError, invalidParameter } from '../../ecs/errors.js';
import type { Store } from '../store/types.js';
import type { RequestContext } from '../context.js';
import { isValidName } from '../../domain/validate/names.js';

export interface ServiceRef {
  /** The ARN the reference would have, also when nothing exists there (DescribeServices' failures). */
  readonly arn: string;
  /** Whether it can name a service of this cluster at all (an ARN of another cluster cannot). */
  readonly valid: boolean;
}

export function serviceRef(ctx: RequestContext, cluster: ClusterRecord, value: string): ServiceRef {
  const clusterName = cluster.clusterName;
  if (!value.startsWith('arn:')) {
    return { arn: ctx.arns.service(clusterName, value), valid: isValidName(value) };
  }
  const parsed = ctx.arns.parseOwn(value);
  const [inCluster, name = ''] = parsed?.path ?? [];
  const valid =
    parsed?.resourceType === 'service' &&
    parsed.path.length === 2 &&
    inCluster === clusterName &&
    isValidName(name);
  return { arn: valid ? ctx.arns.service(clusterName, name) : value, valid };
}

export const SERVICE_NOT_FOUND = 'Service not found.';
export const SERVICE_NOT_ACTIVE = 'Service was not ACTIVE.';

/** The service a request names, in any status; ServiceNotFoundException when there is none. */
export async function requireService(
  ctx: RequestContext,
  tx: Store,
  cluster: ClusterRecord,
  value: string | undefined,
): Promise<ServiceRecord> {
  if (value === undefined || value === '') throw invalidParameter('service can not be empty.');
  const ref = serviceRef(ctx, cluster, value);
  const found = ref.valid ? await tx.services.get(ref.arn) : undefined;
  if (found === undefined) throw new ApiError('ServiceNotFoundException', SERVICE_NOT_FOUND);
  return found;
}

/** UpdateService and DeleteService act on ACTIVE services only (ServiceNotActiveException otherwise). */
export function requireActive(service: ServiceRecord): void {
  if (service.status !== 'ACTIVE') {
    throw new ApiError(
      'ServiceNotActiveException',
      `${SERVICE_NOT_ACTIVE} Service ${service.serviceName} is ${service.status}.`,
    );
  }
}
