/**
 * A scripted stock-agent telemetry (TCS) client for protocol tests: the handshake URL and headers exactly as
 * the Go agent makes them (query from `url.Values.Encode`, `+` for spaces, signed in Go's order), frames
 * signed the same way, and everything received recorded.
 */
import { WebSocket } from 'ws';
import { decodeTelemetryServerFrame, type TelemetryServerEnvelope } from '../../src/acs/telemetry-codec.js';
import type { TelemetryServerToAgent } from '../../src/acs/telemetry.js';
import { signedTelemetryFrame, stockTelemetryQuery } from '../../src/acs/testing/stock-telemetry.js';
import { goEncode, goSignedGet, type GoCredentials } from '../../src/sigv4/testing/go-signer.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

export interface TelemetryTarget {
  /** e.g. `http://127.0.0.1:4650` */
  readonly url: string;
  readonly region: string;
}

export interface TelemetryIdentity {
  /** As the agent is configured: a cluster name (or ARN). */
  readonly cluster: string;
  readonly containerInstanceArn: string;
  readonly credentials: GoCredentials;
}

/** Why a handshake was refused: the HTTP status and body. */
export class TelemetryRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`telemetry handshake refused: ${status} ${body}`);
  }
}

export class TelemetryAgent {
  readonly received: TelemetryServerEnvelope[] = [];
  readonly #ws: WebSocket;
  readonly #signing: Parameters<typeof signedTelemetryFrame>[1];
  #closedCode: number | undefined;

  private constructor(ws: WebSocket, signing: Parameters<typeof signedTelemetryFrame>[1]) {
    this.#ws = ws;
    this.#signing = signing;
    ws.on('message', (data: Buffer) => {
      const decoded = decodeTelemetryServerFrame(data.toString('utf8'));
      if (decoded.ok) this.received.push(decoded.envelope);
    });
    ws.on('close', (code) => {
      this.#closedCode = code;
    });
    ws.on('error', () => undefined);
  }

  /** Dials `<url>/tcs/ws?...` as the agent does with DiscoverPollEndpoint's `telemetryEndpoint`. */
  static async connect(target: TelemetryTarget, id: TelemetryIdentity): Promise<TelemetryAgent> {
    const host = new URL(target.url).host;
    const query = stockTelemetryQuery({ cluster: id.cluster, containerInstanceArn: id.containerInstanceArn });
    const path = '/tcs/ws';
    const date = new Date();
    const signed = goSignedGet({
      credentials: id.credentials,
      host,
      path,
      query,
      date,
      region: target.region,
    });
    const headers: Record<string, string> = {
      Authorization: String(signed.headers.authorization),
      'X-Amz-Date': String(signed.headers['x-amz-date']),
    };
    const token = signed.headers['x-amz-security-token'];
    if (typeof token === 'string') headers['X-Amz-Security-Token'] = token;
    const wsUrl = `${target.url.replace(/^http/, 'ws')}${path}?${goEncode(query)}`;
    const ws = new WebSocket(wsUrl, { headers, perMessageDeflate: false });
    const agent = new TelemetryAgent(ws, {
      credentials: id.credentials,
      host,
      path,
      query,
      region: target.region,
      date,
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => reject(new TelemetryRefused(res.statusCode ?? 0, body)));
      });
      ws.once('error', reject);
    });
    return agent;
  }

  /** Sends an envelope as the agent does: signed, its header block in front. */
  publish(envelope: string): void {
    this.#ws.send(signedTelemetryFrame(envelope, { ...this.#signing, date: new Date() }));
  }

  /** Sends raw text, e.g. a frame that is not a message at all. */
  sendRaw(text: string): void {
    this.#ws.send(text);
  }

  count<K extends keyof TelemetryServerToAgent>(type: K): number {
    return this.received.filter((e) => e.type === type).length;
  }

  /** Waits until `n` envelopes of `type` have arrived; returns the n-th. */
  async nth<K extends keyof TelemetryServerToAgent>(type: K, n: number): Promise<TelemetryServerToAgent[K]> {
    const found = await waitFor(
      `${n} ${type}`,
      () => this.received.filter((e) => e.type === type)[n - 1],
      5_000,
      { intervalMs: 20 },
    );
    return found.message;
  }

  get isOpen(): boolean {
    return this.#closedCode === undefined && this.#ws.readyState === this.#ws.OPEN;
  }

  async close(): Promise<void> {
    if (this.#ws.readyState === this.#ws.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.#ws.once('close', () => resolve()));
    this.#ws.close(1000);
    await closed;
  }
}
