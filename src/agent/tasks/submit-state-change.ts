/**
 * One task state change, sent to the control plane as ECS's agent sends it: SubmitTaskStateChange, signed
 * with the agent's instance credentials, container changes inside the task's (the ECS agent batches them
 * the same way). Only RUNNING and STOPPED containers are reported, as ECS's agent does.
 *
 * What the ECS API has no member for travels in Berth's extension member (`acs/state-change-extension`):
 * when the change happened, the report's number in the durable queue (`seq`), containers' health and how
 * often their restart policy restarted them (`restartCount`). The SDK serialises only modelled members, so a build-step middleware adds it to the JSON body before the
 * request is signed.
 */
import {
  ECSClient,
  SubmitTaskStateChangeCommand,
  type SubmitTaskStateChangeRequest,
} from '@aws-sdk/client-ecs';
import type { AwsCredentialIdentityProvider, BuildMiddleware, MetadataBearer } from '@smithy/types';
import { backendStatus } from '../../domain/status.js';
import { MAX_REASON_LENGTH, MAX_RUNTIME_ID_LENGTH } from '../../domain/task-report.js';
import {
  EXTENSION_MEMBER,
  type BerthContainerExtension,
  type BerthStateChangeExtension,
} from '../../acs/state-change-extension.js';
import type { ContainerState, NetworkBinding, TaskStateChange } from './contracts.js';

export type SubmitStateChange = (change: TaskStateChange, signal: AbortSignal) => Promise<void>;

export type SubmitRequest = SubmitTaskStateChangeRequest & {
  readonly [EXTENSION_MEMBER]: BerthStateChangeExtension;
};

/** The containers a report names: only RUNNING and STOPPED ones, as ECS's agent reports them. */
export function reportedContainers(change: TaskStateChange): ContainerState[] {
  return change.containers.filter((c) => c.knownStatus === 'RUNNING' || c.knownStatus === 'STOPPED');
}

export function toSubmitRequest(change: TaskStateChange): SubmitRequest {
  const reported = reportedContainers(change);
  const extras = change.containers.flatMap((c): BerthContainerExtension[] =>
    c.healthStatus === undefined && c.restartCount === undefined
      ? []
      : [
          {
            containerName: c.name,
            ...(c.healthStatus !== undefined && { healthStatus: c.healthStatus }),
            ...(c.restartCount !== undefined && { restartCount: c.restartCount }),
          },
        ],
  );
  return {
    cluster: change.clusterArn,
    task: change.taskArn,
    status: change.status,
    ...(change.reason !== undefined && { reason: change.reason.slice(0, MAX_REASON_LENGTH) }),
    containers: reported.map((c) => ({
      containerName: c.name,
      status: backendStatus(c.knownStatus),
      ...(c.runtimeId !== undefined && { runtimeId: c.runtimeId.slice(0, MAX_RUNTIME_ID_LENGTH) }),
      ...(c.imageDigest !== undefined && { imageDigest: c.imageDigest.slice(0, MAX_RUNTIME_ID_LENGTH) }),
      ...(c.exitCode !== undefined && { exitCode: c.exitCode }),
      ...(c.reason !== undefined && { reason: c.reason.slice(0, MAX_REASON_LENGTH) }),
      ...(c.networkBindings !== undefined && { networkBindings: reportedBindings(c.networkBindings) }),
    })),
    ...(change.pullStartedAt !== undefined && { pullStartedAt: new Date(change.pullStartedAt) }),
    ...(change.pullStoppedAt !== undefined && { pullStoppedAt: new Date(change.pullStoppedAt) }),
    ...(change.executionStoppedAt !== undefined && {
      executionStoppedAt: new Date(change.executionStoppedAt),
    }),
    [EXTENSION_MEMBER]: {
      at: change.at / 1000,
      ...(change.startedAt !== undefined && { startedAt: change.startedAt / 1000 }),
      ...(change.seq !== undefined && { seq: change.seq }),
      ...(extras.length > 0 && { containers: extras }),
    },
  };
}

/**
 * Docker 20.10.6 and later list each published port twice, on 0.0.0.0 and on `::`. ECS's agent leaves the
 * `::` copies out of its state changes (ECS_EXCLUDE_IPV6_PORTBINDING, on by default), so DescribeTasks shows
 * one binding per port mapping, as users and load-balancer tooling expect; the task metadata endpoint, which
 * reads the engine's state, still shows both.
 */
export function reportedBindings(bindings: readonly NetworkBinding[]): NetworkBinding[] {
  return bindings.filter((b) => b.bindIP !== '::').map((b) => ({ ...b }));
}

export interface EcsSubmitterOptions {
  /** The control plane's URL. */
  readonly endpoint: string;
  readonly region: string;
  /** The agent's rotating instance credentials (`InstanceCredentials.provider`). */
  readonly credentials: AwsCredentialIdentityProvider;
}

/** A submitter over @aws-sdk/client-ecs; `destroy` closes its connections. */
export function createEcsSubmitter(o: EcsSubmitterOptions): { submit: SubmitStateChange; destroy(): void } {
  // The reporter retries with its own backoff and keeps the queue order; the SDK's retries would only hide
  // failures from it.
  const client = new ECSClient({
    endpoint: o.endpoint,
    region: o.region,
    credentials: o.credentials,
    maxAttempts: 1,
  });
  client.middlewareStack.add(addExtension, {
    step: 'build',
    name: 'berthStateChangeExtension',
    priority: 'high',
  });
  return {
    async submit(change, signal) {
      await client.send(new SubmitTaskStateChangeCommand(toSubmitRequest(change)), { abortSignal: signal });
    },
    destroy: () => client.destroy(),
  };
}

/** Puts the input's `berth` member into the serialised JSON body (before signing and Content-Length). */
const addExtension: BuildMiddleware<object, MetadataBearer> = (next) => async (args) => {
  const extension = (args.input as { [EXTENSION_MEMBER]?: unknown })[EXTENSION_MEMBER];
  const request = args.request as { body?: unknown };
  // The serialiser leaves the JSON as text or as UTF-8 bytes, depending on the SDK version.
  const text =
    typeof request.body === 'string'
      ? request.body
      : request.body instanceof Uint8Array
        ? new TextDecoder().decode(request.body)
        : undefined;
  if (extension !== undefined && text !== undefined) {
    const body = JSON.parse(text) as Record<string, unknown>;
    request.body = JSON.stringify({ ...body, [EXTENSION_MEMBER]: extension });
  }
  return next(args);
};
