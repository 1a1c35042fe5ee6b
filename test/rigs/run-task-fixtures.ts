/**
 * Fixtures for the RunTask/StartTask/StopTask tests: clusters with container instances registered through
 * the real API (as an administrator would on a host's behalf) and marked connected by writing the record, as
 * no agent runs in these tests; task definitions registered through the SDK.
 */
import assert from 'node:assert/strict';
import {
  CreateClusterCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type Attribute,
  type ContainerDefinition,
  type RegisterTaskDefinitionRequest,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { TestServer } from './harness.js';

export const BASE_ATTRIBUTES: Attribute[] = [
  { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.44' },
  { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.21' },
  { name: 'com.amazonaws.ecs.capability.logging-driver.json-file' },
  { name: 'ecs.capability.external' },
  { name: 'ecs.os-type', value: 'linux' },
  { name: 'ecs.cpu-architecture', value: 'x86_64' },
];

export interface HostSpec {
  readonly cpu?: number;
  readonly memory?: number;
  readonly attributes?: readonly Attribute[];
  /** Mark the agent connected. @default true */
  readonly connected?: boolean;
}

export async function createCluster(t: TestServer, name: string): Promise<string> {
  const out = await t.ecs.send(new CreateClusterCommand({ clusterName: name }));
  return out.cluster?.clusterArn ?? '';
}

/** Registers a container instance in `cluster` and returns its ARN. */
export async function addHost(t: TestServer, cluster: string, spec: HostSpec = {}): Promise<string> {
  const out = await t.ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      totalResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: spec.cpu ?? 2048 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: spec.memory ?? 4096 },
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
        { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
      ],
      attributes: [...BASE_ATTRIBUTES, ...(spec.attributes ?? [])],
      versionInfo: { agentVersion: '1.105.1', agentHash: 'abc123', dockerVersion: '24.0.7' },
    }),
  );
  const arn = out.containerInstance?.containerInstanceArn;
  assert.ok(arn !== undefined);
  if (spec.connected ?? true) await setConnected(t, cluster, arn, true);
  return arn;
}

/** What the gateway does when an agent's session opens or closes. */
export async function setConnected(
  t: TestServer,
  cluster: string,
  arn: string,
  connected: boolean,
): Promise<void> {
  const store = t.server.store;
  const record = await store.containerInstances.get(arn);
  assert.ok(record);
  const clusterArn = arn.replace(/:container-instance\/([^/]+)\/.*$/, ':cluster/$1');
  assert.ok(clusterArn.endsWith(`:cluster/${cluster}`));
  await store.containerInstances.put(clusterArn, { ...record, agentConnected: connected });
}

export function container(patch: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return { name: 'app', image: '127.0.0.1:5000/app:1', cpu: 256, memory: 512, essential: true, ...patch };
}

export async function registerDefinition(
  t: TestServer,
  family: string,
  patch: Partial<RegisterTaskDefinitionRequest> = {},
): Promise<TaskDefinition> {
  const out = await t.ecs.send(
    new RegisterTaskDefinitionCommand({ family, containerDefinitions: [container()], ...patch }),
  );
  assert.ok(out.taskDefinition);
  return out.taskDefinition;
}

export const idOf = (arn: string | undefined): string => (arn ?? '').split('/').pop() ?? '';
