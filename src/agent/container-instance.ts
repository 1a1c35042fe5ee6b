/**
 * RegisterContainerInstance from the agent's side, as the ECS agent calls it: the saved ARN after a restart
 * (so the control plane gives the same container instance back), custom attributes only the first time, and
 * a check that the control plane kept every attribute sent.
 */
import {
  RegisterContainerInstanceCommand,
  type ContainerInstance,
  type ECSClient,
  type Resource,
} from '@aws-sdk/client-ecs';
import type { Logger } from 'pino';
import { BERTH_VERSION } from '../util/version.js';
import type { AgentConfig } from './config.js';
import { instanceAttributes } from './instance-facts.js';
import { readAgentState, reusableArn } from './state.js';

export interface ContainerInstanceRegistration {
  readonly config: Pick<AgentConfig, 'cluster' | 'clusterName' | 'dataDir' | 'attributes'>;
  /** The managed instance this agent is (`mi-...`). */
  readonly ec2InstanceId: string;
  readonly resources: Resource[];
  readonly cpuArchitecture: string;
  readonly dockerVersion: string | undefined;
  readonly agentHash: string | undefined;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

export async function registerContainerInstance(
  ecs: ECSClient,
  r: ContainerInstanceRegistration,
): Promise<ContainerInstance & { readonly containerInstanceArn: string }> {
  const saved = readAgentState(r.config.dataDir);
  const reuse = reusableArn(saved, r.config.clusterName, r.ec2InstanceId);
  if (saved !== undefined && reuse === undefined) {
    r.log.info(
      { saved: saved.containerInstanceArn, savedCluster: saved.cluster, cluster: r.config.clusterName },
      'the saved container instance belongs to another cluster or host identity; registering a new one',
    );
  }
  // Custom attributes only on the first registration, as ECS: later ones would undo PutAttributes.
  const attributes = instanceAttributes(
    r.cpuArchitecture,
    reuse === undefined ? r.config.attributes : undefined,
  );
  const out = await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: r.config.cluster,
      ...(reuse !== undefined && { containerInstanceArn: reuse }),
      totalResources: r.resources,
      attributes,
      versionInfo: {
        agentVersion: BERTH_VERSION,
        ...(r.agentHash !== undefined && { agentHash: r.agentHash }),
        // ECS's spelling, as DescribeContainerInstances shows it for ECS's own agent.
        ...(r.dockerVersion !== undefined && { dockerVersion: `DockerVersion: ${r.dockerVersion}` }),
      },
    }),
    { abortSignal: r.signal },
  );
  const instance = out.containerInstance;
  const arn = instance?.containerInstanceArn;
  if (instance === undefined || arn === undefined) {
    throw new Error('RegisterContainerInstance answered without a container instance');
  }
  // The ECS agent checks that every attribute it sent came back (`validateRegisteredAttributes`).
  const echoed = new Set((instance.attributes ?? []).map((a) => `${a.name}=${a.value ?? ''}`));
  const missing = attributes.filter((a) => !echoed.has(`${a.name}=${a.value ?? ''}`)).map((a) => a.name);
  if (missing.length > 0) r.log.warn({ missing }, 'the control plane did not keep every attribute sent');
  return { ...instance, containerInstanceArn: arn };
}

/** `arn:…:container-instance/<cluster>/<id>` → `arn:…:cluster/<cluster>`; undefined for the old short form. */
export function clusterArnOf(containerInstanceArn: string): string | undefined {
  const m = /^(arn:[^:]+:ecs:[^:]*:[^:]*:)container-instance\/([^/]+)\/[^/]+$/.exec(containerInstanceArn);
  return m === null ? undefined : `${m[1]}cluster/${m[2]}`;
}
