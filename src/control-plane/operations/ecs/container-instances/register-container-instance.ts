import { randomBytes } from 'node:crypto';
import type {
  Attribute,
  ContainerInstance,
  RegisterContainerInstanceRequest,
  RegisterContainerInstanceResponse,
  Resource,
  VersionInfo,
} from '@aws-sdk/client-ecs';
import { ApiError, clientError, invalidParameter } from '../../../../ecs/errors.js';
import type { Store } from '../../../store/types.js';
import type { RequestContext } from '../../../context.js';
import { defineOperation } from '../../operation.js';
import {
  countCustom,
  isCustomAttribute,
  MAX_CUSTOM_ATTRIBUTES,
  storedAttribute,
} from '../../../../domain/validate/attributes.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { validateTags } from '../../../../domain/validate/tags.js';
import { instanceId, instanceRef } from '../../../lookup/container-instance.js';
import { registeredResources } from '../../../instances/resources.js';
import type { ClusterRecord } from '../../../../domain/cluster-record.js';
import type { InstanceRecord } from '../../../../domain/instance-record.js';
import { instanceView } from './view.js';

export interface Registrant {
  /**
   * The managed instance id (`mi-...`) of an agent calling with its own instance credentials. It becomes the
   * instance's `ec2InstanceId`, and such a caller may re-register only its own instances. Undefined for an
   * administrator, who may name the host through `instanceIdentityDocument` instead.
   */
  readonly managedInstanceId?: string;
}

/** What a registration sets, validated before any read so a bad request touches nothing. */
interface Registration {
  readonly resources: Resource[];
  readonly attributes: Attribute[];
  readonly ec2InstanceId: string | undefined;
  readonly versionInfo: VersionInfo | undefined;
}

/**
 * RegisterContainerInstance, for whoever calls it. A request naming `containerInstanceArn` of an ACTIVE or
 * DRAINING instance of the cluster updates that same instance (the agent does this on every restart) and keeps
 * its status, registration time and custom attributes; without one, a new ACTIVE instance is created. The
 * agent only connects afterwards, so `agentConnected` starts false.
 */
export async function registerInstance(
  ctx: RequestContext,
  input: RegisterContainerInstanceRequest,
  registrant: Registrant,
): Promise<ContainerInstance> {
  validateTags(input.tags);
  const registration: Registration = {
    resources: registeredResources(input.totalResources, input.platformDevices),
    attributes: registeredAttributes(input.attributes),
    ec2InstanceId: registrant.managedInstanceId ?? instanceIdFromDocument(input.instanceIdentityDocument),
    versionInfo: input.versionInfo,
  };
  const { cluster, instance } = await ctx.store.transaction(async (tx) => {
    const cluster = await requireCluster({ ...ctx, store: tx }, input.cluster);
    const instance =
      input.containerInstanceArn !== undefined && input.containerInstanceArn !== ''
        ? await reRegister(ctx, tx, cluster, input.containerInstanceArn, registration, registrant)
        : newInstance(ctx, cluster, registration);
    checkCustomLimit(instance.attributes);
    await tx.containerInstances.put(cluster.clusterArn, instance);
    if (input.tags?.length) await tx.tags.put(instance.containerInstanceArn, input.tags);
    return { cluster, instance };
  });
  ctx.log.info(
    { containerInstanceArn: instance.containerInstanceArn, ec2InstanceId: instance.ec2InstanceId },
    'container instance registered',
  );
  // A DAEMON service may belong on the new instance, and a stuck REPLICA service may now fit.
  ctx.runtime.changes.clusterChanged(cluster.clusterArn);
  return instanceView(ctx, cluster.clusterArn, instance, { include: ['TAGS'] });
}

function newInstance(ctx: RequestContext, cluster: ClusterRecord, r: Registration): InstanceRecord {
  const id = randomBytes(16).toString('hex');
  return {
    containerInstanceArn: ctx.arns.containerInstance(cluster.clusterName, id),
    ...(r.ec2InstanceId !== undefined && { ec2InstanceId: r.ec2InstanceId }),
    version: 1,
    ...(r.versionInfo && { versionInfo: r.versionInfo }),
    registeredResources: r.resources,
    remainingResources: r.resources,
    status: 'ACTIVE',
    agentConnected: false,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    attributes: r.attributes,
    registeredAt: ctx.now(),
    attachments: [],
  };
}

async function reRegister(
  ctx: RequestContext,
  tx: Store,
  cluster: ClusterRecord,
  arn: string,
  r: Registration,
  registrant: Registrant,
): Promise<InstanceRecord> {
  const ref = instanceRef(ctx, cluster, arn);
  const existing = ref.arn === undefined ? undefined : await tx.containerInstances.get(ref.arn);
  // ClientException: the agent treats it as final rather than retrying for an hour; only a person can fix it.
  if (existing === undefined) {
    throw clientError(
      `Container instance ${arn} was not found in cluster ${cluster.clusterName}. Register without ` +
        `containerInstanceArn (for an agent: remove its saved state) to create a new container instance.`,
    );
  }
  if (existing.status === 'INACTIVE') {
    throw clientError(
      `Container instance ${instanceId(existing.containerInstanceArn)} is inactive. A deregistered ` +
        `instance can't come back; register without containerInstanceArn to create a new one.`,
    );
  }
  const caller = registrant.managedInstanceId;
  if (caller !== undefined && existing.ec2InstanceId !== caller) {
    throw new ApiError(
      'AccessDeniedException',
      `Managed instance ${caller} may not re-register container instance ${arn}, which belongs to another host.`,
    );
  }
  // The agent sends its full set of built-in attributes every time, but custom ones only on the first
  // registration: keep the custom attributes it did not send this time (including those from PutAttributes).
  const sent = new Set(r.attributes.map((a) => a.name));
  const kept = existing.attributes.filter((a) => isCustomAttribute(a.name ?? '') && !sent.has(a.name));
  return {
    ...existing,
    ...(existing.ec2InstanceId === undefined &&
      r.ec2InstanceId !== undefined && { ec2InstanceId: r.ec2InstanceId }),
    version: existing.version + 1,
    versionInfo: r.versionInfo ?? existing.versionInfo,
    registeredResources: r.resources,
    remainingResources: r.resources,
    attributes: [...r.attributes, ...kept],
  };
}

/**
 * Attributes as sent, validated, each name once (a repeated name keeps its last value). They are stored and
 * echoed exactly: the agent checks that every attribute it sent comes back with the same value.
 */
function registeredAttributes(attributes: readonly Attribute[] | undefined): Attribute[] {
  const byName = new Map<string, Attribute>();
  for (const a of attributes ?? []) {
    const stored = storedAttribute(a);
    byName.delete(stored.name ?? '');
    byName.set(stored.name ?? '', stored);
  }
  return [...byName.values()];
}

/**
 * Over the limit is an InvalidParameterException here, not AttributeLimitExceededException: ECS does not
 * list the latter for this operation, and the agent retries unknown errors for an hour but stops on this one.
 */
function checkCustomLimit(attributes: readonly Attribute[]): void {
  const custom = countCustom(attributes);
  if (custom > MAX_CUSTOM_ATTRIBUTES) {
    throw invalidParameter(
      `A container instance can have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes; this registration ` +
        `would give it ${custom}. Attributes under 'ecs.' and 'com.amazonaws.ecs.' do not count.`,
    );
  }
}

const HOST_ID = /^[A-Za-z0-9-]{1,64}$/;

/** For an administrator registering on a host's behalf: the `instanceId` of an identity document, if any. */
function instanceIdFromDocument(document: string | undefined): string | undefined {
  if (document === undefined || document.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw invalidParameter(
      'instanceIdentityDocument is not valid JSON. Give a document such as {"instanceId": "mi-0123456789abcdef0"} or leave it empty.',
    );
  }
  const id =
    parsed !== null && typeof parsed === 'object' && 'instanceId' in parsed ? parsed.instanceId : undefined;
  if (typeof id !== 'string' || !HOST_ID.test(id)) {
    throw invalidParameter(
      "instanceIdentityDocument needs an 'instanceId' of 1-64 letters, numbers and hyphens (e.g. mi-0123456789abcdef0).",
    );
  }
  return id;
}

export const registerContainerInstance = defineOperation<
  RegisterContainerInstanceRequest,
  RegisterContainerInstanceResponse
>({
  name: 'RegisterContainerInstance',
  access: 'agent',
  async handle(input, ctx) {
    // An agent is the managed instance its credentials were issued to: that id becomes ec2InstanceId
    // (whatever identity document it sends), and it may re-register only its own container instances.
    const { caller } = ctx;
    if (caller.kind === 'instance' && caller.instanceId !== undefined) {
      return {
        containerInstance: await registerInstance(ctx, input, { managedInstanceId: caller.instanceId }),
      };
    }
    if (caller.kind !== 'admin') {
      throw new ApiError(
        'AccessDeniedException',
        `User: ${caller.principalArn} is not authorized to perform: ecs:RegisterContainerInstance`,
      );
    }
    return { containerInstance: await registerInstance(ctx, input, {}) };
  },
});
