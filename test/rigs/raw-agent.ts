/**
 * A scripted agent for protocol tests: a real signed session websocket, driven message by message (it acks
 * what it is told to, records everything it receives), and a host registered the way an administrator does
 * it on an agent's behalf, with the host's own instance credentials.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RegisterContainerInstanceCommand, type Attribute } from '@aws-sdk/client-ecs';
import { WebSocket } from 'ws';
import { sessionUrl, signSessionRequest, type AgentCredentials } from '../../src/agent/session/signing.js';
import { issueAccessKey } from '../../src/control-plane/auth/access-keys.js';
import { decodeServerEnvelope, encodeEnvelope } from '../../src/acs/codec.js';
import type { AgentEnvelope, ServerEnvelope, ServerToAgent } from '../../src/acs/messages.js';
import type { TestServer } from './harness.js';
import { BASE_ATTRIBUTES } from './run-task-fixtures.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

/** What these helpers need of a running test server. */
export type ServerHandle = Pick<TestServer, 'url' | 'region' | 'ecs' | 'server'>;

export interface RawHost {
  readonly miId: string;
  readonly arn: string;
  readonly clusterArn: string;
  readonly credentials: AgentCredentials;
}

/** `attributes` are added to the base ones, e.g. a capability the agent would register with. */
export async function registerRawHost(
  t: ServerHandle,
  cluster: string,
  attributes: readonly Attribute[] = [],
): Promise<RawHost> {
  const miId = `mi-${randomBytes(9).toString('hex').slice(0, 17)}`;
  const out = await t.ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      instanceIdentityDocument: JSON.stringify({ instanceId: miId }),
      totalResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 3800 },
      ],
      attributes: [...BASE_ATTRIBUTES, ...attributes],
    }),
  );
  const arn = out.containerInstance?.containerInstanceArn;
  assert.ok(arn);
  const credentials = await issueAccessKey(t.server.store.accessKeys, t.server.secretBox, {
    kind: 'instance',
    principalArn: `arn:aws:sts::123456789012:assumed-role/berth-instance/${miId}`,
    instanceId: miId,
    lifetimeMs: 60 * 60_000,
    now: new Date(),
  });
  const clusterArn = arn.replace(/:container-instance\/([^/]+)\/.*$/, ':cluster/$1');
  return { miId, arn, clusterArn, credentials };
}

export interface RawAgentOptions {
  /** Acknowledge PayloadMessages at once. @default true */
  readonly ackPayloads?: boolean;
  /** Acknowledge TaskManifestMessages at once. @default true */
  readonly ackManifests?: boolean;
  /** When the handshake is signed: the server's clock, where a test moved it. @default now */
  readonly signingDate?: Date;
}

type Received<K extends keyof ServerToAgent> = ServerToAgent[K];

export class RawAgent {
  /** Every envelope received, in order. */
  readonly received: ServerEnvelope[] = [];
  readonly #ws: WebSocket;
  readonly #host: RawHost;

  /** Listens from the start: frames that arrive with the handshake's response come before 'open' is seen. */
  private constructor(ws: WebSocket, host: RawHost, options: RawAgentOptions) {
    this.#ws = ws;
    this.#host = host;
    ws.on('message', (data: Buffer) => {
      const decoded = decodeServerEnvelope(data.toString('utf8'));
      if (!decoded.ok) return;
      const envelope = decoded.envelope;
      this.received.push(envelope);
      if (envelope.type === 'HeartbeatMessage') {
        this.send({ type: 'HeartbeatAckRequest', message: { messageId: envelope.message.messageId } });
      } else if (envelope.type === 'PayloadMessage' && options.ackPayloads !== false) {
        this.ack(envelope.message.messageId);
      } else if (envelope.type === 'TaskManifestMessage' && options.ackManifests !== false) {
        this.ack(envelope.message.messageId);
      }
    });
    ws.on('error', () => undefined);
  }

  static async connect(
    t: Pick<ServerHandle, 'url' | 'region'>,
    host: RawHost,
    options: RawAgentOptions = {},
  ): Promise<RawAgent> {
    const url = sessionUrl(t.url, {
      clusterArn: host.clusterArn,
      containerInstanceArn: host.arn,
      agentVersion: 'raw',
      seqNum: 1,
      protocolVersion: 2,
      sendCredentials: false,
    });
    const headers = await signSessionRequest({
      url,
      region: t.region,
      credentials: host.credentials,
      signingDate: options.signingDate ?? new Date(),
    });
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const agent = new RawAgent(ws, host, options);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`handshake refused: ${res.statusCode}`)),
      );
      ws.once('error', reject);
    });
    return agent;
  }

  send(envelope: AgentEnvelope): void {
    this.#ws.send(encodeEnvelope(envelope));
  }

  ack(messageId: string): void {
    this.send({
      type: 'AckRequest',
      message: { cluster: this.#host.clusterArn, containerInstance: this.#host.arn, messageId },
    });
  }

  /** The envelopes of one type received so far, with their positions in `received`. */
  all<K extends keyof ServerToAgent>(type: K): { index: number; message: Received<K> }[] {
    const found: { index: number; message: Received<K> }[] = [];
    this.received.forEach((e, index) => {
      if (e.type === type) found.push({ index, message: e.message as Received<K> });
    });
    return found;
  }

  /** The first envelope of `type` matching `match`, waiting for it if need be. */
  async next<K extends keyof ServerToAgent>(
    type: K,
    match: (m: Received<K>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<{ index: number; message: Received<K> }> {
    return waitFor(type, () => this.all(type).find((e) => match(e.message)), timeoutMs);
  }

  /** Stops reading, as behind a dead link: nothing more is received or acknowledged; TCP stays up. */
  pause(): void {
    this.#ws.pause();
  }

  /** A clean close; resolves when the socket has closed. */
  async close(): Promise<void> {
    if (this.#ws.readyState === this.#ws.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.#ws.once('close', () => resolve()));
    this.#ws.close(1000);
    await closed;
  }
}
