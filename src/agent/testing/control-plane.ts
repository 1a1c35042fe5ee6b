/**
 * A stand-in control plane for the agent's own tests: the few calls an agent makes (credentials,
 * RegisterContainerInstance, DiscoverPollEndpoint, SubmitTaskStateChange) and the session websocket, with
 * everything recorded and the session's messages sent by the test. It checks no signatures: the real
 * control plane is tested end to end under `test/`; here the agent's behaviour is what is under test, and a
 * control plane that can be stopped and started again on the same port plays a lost uplink.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AgentEnvelope, ServerEnvelope } from '../../acs/messages.js';

const ECS = 'AmazonEC2ContainerServiceV20141113';

export interface RecordedCall {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

export class FakeControlPlane extends EventEmitter<{ received: [AgentEnvelope]; connected: [] }> {
  readonly calls: RecordedCall[] = [];
  readonly received: AgentEnvelope[] = [];
  /** Lifetime of the credentials it hands out. */
  credentialLifetimeMs = 60_000;
  #server: Server | undefined;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Set<WebSocket>();
  #port = 0;

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Bodies of SubmitTaskStateChange calls, in arrival order. */
  get stateChanges(): Record<string, unknown>[] {
    return this.calls.filter((c) => c.target === `${ECS}.SubmitTaskStateChange`).map((c) => c.body);
  }

  get connected(): boolean {
    return this.#sockets.size > 0;
  }

  /** Listens on `port` (0: any free one; later starts reuse the first port). */
  async start(port = this.#port): Promise<void> {
    const server = createServer((req, res) => {
      this.#serve(req, res).catch(() => res.destroy());
    });
    server.on('upgrade', (req, socket, head) => {
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  /** Goes away at once, as a host cut off from it would see it. */
  async stop(): Promise<void> {
    for (const ws of this.#sockets) ws.terminate();
    this.#sockets.clear();
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Sends an envelope on every open session. */
  send(envelope: ServerEnvelope): void {
    for (const ws of this.#sockets) ws.send(JSON.stringify(envelope));
  }

  #accept(ws: WebSocket): void {
    this.#sockets.add(ws);
    ws.on('message', (data: Buffer) => {
      const envelope = JSON.parse(data.toString('utf8')) as AgentEnvelope;
      this.received.push(envelope);
      this.emit('received', envelope);
    });
    ws.on('close', () => this.#sockets.delete(ws));
    this.emit('connected');
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    this.calls.push({ target, body });
    const answer = this.#answer(target, body);
    res.writeHead(answer === undefined ? 400 : 200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(answer ?? { __type: 'UnknownOperationException', message: target }));
  }

  #answer(target: string, body: Record<string, unknown>): object | undefined {
    switch (target) {
      case 'AmazonSSM.RequestManagedInstanceRoleToken':
        return {
          AccessKeyId: `AKID${this.calls.length}`,
          SecretAccessKey: 'secret',
          SessionToken: 'token',
          TokenExpirationDate: (Date.now() + this.credentialLifetimeMs) / 1000,
          UpdateKeyPair: false,
        };
      case `${ECS}.RegisterContainerInstance`:
        return {
          containerInstance: {
            containerInstanceArn:
              typeof body.containerInstanceArn === 'string'
                ? body.containerInstanceArn
                : 'arn:aws:ecs:us-east-1:000000000000:container-instance/edge/0123456789abcdef0123456789abcdef',
            attributes: body.attributes,
            status: 'ACTIVE',
          },
        };
      case `${ECS}.DiscoverPollEndpoint`:
        return { endpoint: this.url, telemetryEndpoint: this.url };
      case `${ECS}.SubmitTaskStateChange`:
        return { acknowledgment: 'ACK' };
      default:
        return undefined;
    }
  }
}
