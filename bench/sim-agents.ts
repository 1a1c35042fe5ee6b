/**
 * What the benchmarks with simulated agents share (`fleet.ts`, `reconnect-storm.ts`): one simulated host's
 * first start up to its session (key pair, RegisterManagedInstance, instance credentials,
 * RegisterContainerInstance, DiscoverPollEndpoint), a bounded worker pool, a bounded wait, a check of the
 * open-file limit, and the control plane's count of connected container instances.
 */
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  DiscoverPollEndpointCommand,
  ECSClient,
  ListContainerInstancesCommand,
  RegisterContainerInstanceCommand,
} from '@aws-sdk/client-ecs';
import { InstanceCredentials, registerManagedInstance } from '../src/agent/identity/index.js';
import { BERTH_VERSION } from '../src/util/version.js';

/** SSM's largest RegistrationLimit; a bigger fleet gets several activations. */
export const MAX_REGISTRATIONS_PER_ACTIVATION = 1000;
/** File descriptors each process needs besides one socket per agent (libraries, the store, stdio, slack). */
const FD_HEADROOM = 256;

/** Warns when the open-file limit is below what the fleet needs, in this process and the server alike. */
export function checkFileLimit(agents: number): void {
  let soft: number | undefined;
  let hard = '';
  try {
    const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    soft = line?.[1] === 'unlimited' ? Infinity : Number(line?.[1]);
    hard = line?.[2] ?? '';
  } catch {
    return;
  }
  const needed = agents + FD_HEADROOM;
  if (soft !== undefined && Number.isFinite(soft) && soft < needed) {
    console.error(
      `warning: the open-file limit (ulimit -n) is ${soft}, but ${agents} agents need about ${needed} open ` +
        `files in this process and as many in the control plane (one socket per agent), so ` +
        `connections may fail with EMFILE. Raise it first, e.g. \`ulimit -n ${Math.max(needed * 2, 4096)}\` ` +
        `(the hard limit is ${hard}; raising that needs root).`,
    );
  }
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function pool(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

export function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface Registered {
  readonly instanceId: string;
  readonly credentials: InstanceCredentials;
  readonly containerInstanceArn: string;
  readonly clusterArn: string;
  readonly endpoint: string;
}

/**
 * One simulated host's first start, up to the point where it would open its session, in `cluster`; `name`
 * tells the simulated hosts of one bench apart from another's (their fingerprints and hostnames).
 */
export async function register(
  url: string,
  activation: { id: string; code: string },
  i: number,
  cluster: string,
  name = cluster,
): Promise<Registered> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // Each simulated host is its own machine: a fingerprint of its own, as if it had its own machine id.
  const fingerprint = createHash('sha256')
    .update(`${name}-${i}-${randomBytes(8).toString('hex')}`)
    .digest('hex');
  const { instanceId, region } = await registerManagedInstance(url, {
    activationId: activation.id,
    activationCode: activation.code,
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    fingerprint,
    host: {
      hostname: `sim-${i}.${hostname()}`,
      platformName: 'Debian GNU/Linux',
      platformVersion: '12',
      agentVersion: BERTH_VERSION,
    },
  });
  const credentials = new InstanceCredentials({
    endpoint: url,
    identity: { instanceId, region, privateKey: privateKey satisfies KeyObject, fingerprint },
  });
  const ecs = new ECSClient({ endpoint: url, region, credentials: credentials.provider, maxAttempts: 3 });
  try {
    const { containerInstance } = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster,
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 3800 },
          { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
          { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
        ],
        attributes: [
          { name: 'ecs.capability.external' },
          { name: 'ecs.os-type', value: 'linux' },
          { name: 'ecs.cpu-architecture', value: 'x86_64' },
        ],
        versionInfo: { agentVersion: BERTH_VERSION, dockerVersion: 'DockerVersion: 20.10.24' },
      }),
    );
    const containerInstanceArn = containerInstance?.containerInstanceArn;
    const clusterArn = containerInstanceArn?.replace(/:container-instance\/([^/]+)\/.*$/, ':cluster/$1');
    if (containerInstanceArn === undefined || clusterArn === undefined) {
      throw new Error('RegisterContainerInstance returned no container instance');
    }
    const poll = await ecs.send(
      new DiscoverPollEndpointCommand({ cluster, containerInstance: containerInstanceArn }),
    );
    if (poll.endpoint === undefined) throw new Error('DiscoverPollEndpoint returned no endpoint');
    return { instanceId, credentials, containerInstanceArn, clusterArn, endpoint: poll.endpoint };
  } finally {
    // The session needs only the credentials; an SDK client per idle agent would be memory for nothing.
    ecs.destroy();
  }
}

/** Every container instance of `cluster` the control plane calls connected, page by page. */
export async function countConnected(ecs: ECSClient, cluster: string): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const out = await ecs.send(
      new ListContainerInstancesCommand({
        cluster,
        filter: 'agentConnected == true',
        maxResults: 100,
        ...(nextToken !== undefined && { nextToken }),
      }),
    );
    count += out.containerInstanceArns?.length ?? 0;
    nextToken = out.nextToken;
  } while (nextToken !== undefined);
  return count;
}
