/**
 * Whether a session handshake may become a session: a valid SigV4 signature from keys this control plane
 * issued, a session query naming an active cluster and a container instance in it that the caller may speak
 * for, and that instance still registered. Every refusal is a typed ACS error, so the agent knows whether to
 * retry soon (a credential problem: the next attempt brings fresh credentials) or back off for long.
 */
import type { IncomingMessage } from 'node:http';
import type { InstanceRecord } from '../../domain/instance-record.js';
import type { Caller } from '../auth/caller.js';
import type { Authenticate } from '../auth/authenticator.js';
import { parseSessionQuery } from '../../acs/codec.js';
import type { AcsErrorType } from '../../acs/messages.js';
import type { Arns } from '../../ecs/arn.js';
import { isApiError } from '../../ecs/errors.js';
import type { Store } from '../store/types.js';

/** The session speaks ECS's agent protocol, so its handshake is signed for the `ecs` service. */
export const SESSION_SIGNING_NAME = 'ecs';

export interface Admitted {
  readonly ok: true;
  readonly caller: Caller;
  readonly clusterArn: string;
  readonly instance: InstanceRecord & { readonly containerInstanceArn: string };
}

export interface Refused {
  readonly ok: false;
  readonly status: 400 | 403 | 500 | 503;
  readonly type: AcsErrorType;
  readonly message: string;
}

export interface AdmissionDeps {
  readonly store: Store;
  readonly arns: Arns;
  readonly authenticate: Authenticate;
}

const EMPTY_BODY = new Uint8Array(0);
const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ID = /^[A-Za-z0-9-]{1,64}$/;

export async function admit(deps: AdmissionDeps, req: IncomingMessage): Promise<Admitted | Refused> {
  const url = req.url ?? '/';
  let caller: Caller;
  try {
    caller = await deps.authenticate(
      { method: req.method ?? 'GET', url, headers: req.headers, body: EMPTY_BODY },
      [SESSION_SIGNING_NAME],
    );
  } catch (e) {
    if (!isApiError(e)) throw e;
    // The API's code says what is wrong with the credentials (unsigned, bad signature, expired, unknown key).
    return refuse(403, 'AccessDeniedException', `${e.code}: ${e.message}`);
  }
  const query = parseSessionQuery(new URL(url, 'http://session').searchParams);
  if (query.clusterArn === undefined || query.containerInstanceArn === undefined) {
    return refuse(400, 'BadRequestException', 'The session URL needs clusterArn and containerInstanceArn.');
  }
  const clusterName = clusterNameOf(deps.arns, query.clusterArn);
  const cluster =
    clusterName === undefined ? undefined : await deps.store.clusters.get(deps.arns.cluster(clusterName));
  if (clusterName === undefined || cluster?.status !== 'ACTIVE') {
    return refuse(
      400,
      'InvalidClusterException',
      `Cluster ${query.clusterArn} does not exist or is not active.`,
    );
  }
  const instanceArn = instanceArnOf(deps.arns, clusterName, query.containerInstanceArn);
  const instance =
    instanceArn === undefined ? undefined : await deps.store.containerInstances.get(instanceArn);
  if (instanceArn === undefined || instance === undefined) {
    return refuse(
      400,
      'InvalidInstanceException',
      `Container instance ${query.containerInstanceArn} is not registered in cluster ${clusterName}. ` +
        'Register it (RegisterContainerInstance) before opening its session.',
    );
  }
  // Administrators may open a session for any instance (tools, simulators); an instance only for its own.
  if (
    caller.kind !== 'admin' &&
    (caller.instanceId === undefined || instance.ec2InstanceId !== caller.instanceId)
  ) {
    return refuse(
      403,
      'InvalidInstanceException',
      `Managed instance ${caller.instanceId ?? caller.principalArn} may not open a session for container ` +
        `instance ${instanceArn}, which belongs to another host.`,
    );
  }
  if (instance.status === 'INACTIVE') {
    return refuse(
      400,
      'InactiveInstanceException',
      `Container instance ${instanceArn} is deregistered (INACTIVE). Register the host again to rejoin the cluster.`,
    );
  }
  return {
    ok: true,
    caller,
    clusterArn: deps.arns.cluster(clusterName),
    instance: { ...instance, containerInstanceArn: instanceArn },
  };
}

function refuse(status: Refused['status'], type: AcsErrorType, message: string): Refused {
  return { ok: false, status, type, message };
}

/** The agent sends its configured cluster: a name or an ARN. */
function clusterNameOf(arns: Arns, ref: string): string | undefined {
  if (!ref.startsWith('arn:')) return NAME.test(ref) ? ref : undefined;
  const arn = arns.parseOwn(ref);
  const name = arn?.resourceType === 'cluster' && arn.path.length === 1 ? arn.path[0] : undefined;
  return name !== undefined && NAME.test(name) ? name : undefined;
}

/** An id, a long ARN of this cluster, or an old short ARN (`container-instance/ID`). */
function instanceArnOf(arns: Arns, clusterName: string, ref: string): string | undefined {
  if (!ref.startsWith('arn:')) return ID.test(ref) ? arns.containerInstance(clusterName, ref) : undefined;
  const arn = arns.parseOwn(ref);
  if (arn?.resourceType !== 'container-instance') return undefined;
  const [first, second] = arn.path;
  const id =
    arn.path.length === 1 ? first : arn.path.length === 2 && first === clusterName ? second : undefined;
  return id !== undefined && ID.test(id) ? arns.containerInstance(clusterName, id) : undefined;
}
