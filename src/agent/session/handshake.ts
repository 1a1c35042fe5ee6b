/**
 * Opening the session's websocket: the signed GET upgrade, and on refusal the typed ACS error from the
 * response body, so the caller can tell "retry soon" from "back off for long".
 */
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { decodeHandshakeError } from '../../acs/codec.js';
import type { HandshakeError } from '../../acs/messages.js';

/** ECS's websocket client gives the TCP connect and the handshake 30 s; a slow uplink needs that long. */
export const HANDSHAKE_TIMEOUT_MS = 30_000;

/**
 * The control plane sends heartbeats, errors and (later) task payloads; 16 MiB bounds what a broken or
 * hostile peer can make the agent buffer while leaving room for a payload of many tasks.
 */
export const MAX_SERVER_FRAME_BYTES = 16 * 1024 * 1024;

/** A refused refusal body is read up to this size; typed errors are a few hundred bytes. */
const MAX_REFUSAL_BODY_BYTES = 64 * 1024;

/** The control plane answered the handshake with an HTTP error instead of switching protocols. */
export class HandshakeRefusedError extends Error {
  override readonly name = 'HandshakeRefusedError';
  constructor(
    readonly status: number,
    /** The typed ACS error, when the body held one. */
    readonly error: HandshakeError | undefined,
  ) {
    super(
      error === undefined
        ? `session handshake refused with HTTP ${status}`
        : `session handshake refused with HTTP ${status}: ${error.type}: ${error.message}`,
    );
  }
}

/**
 * Resolves with the open socket, paused: call `resume()` once listening. Rejects with HandshakeRefusedError or
 * the network error.
 */
export function openSessionSocket(
  url: URL,
  headers: Record<string, string>,
  handshakeTimeoutMs: number = HANDSHAKE_TIMEOUT_MS,
  signal?: AbortSignal,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('session handshake aborted'));
      return;
    }
    const ws = new WebSocket(url, {
      headers,
      handshakeTimeout: handshakeTimeoutMs,
      perMessageDeflate: false,
      maxPayload: MAX_SERVER_FRAME_BYTES,
      followRedirects: false,
    });
    const onAbort = () => fail(new Error('session handshake aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const fail = (err: Error) => {
      signal?.removeEventListener('abort', onAbort);
      ws.removeAllListeners();
      // Keep a listener: a late socket error must not crash the process once we have given up on it.
      ws.on('error', () => undefined);
      ws.terminate();
      reject(err);
    };
    ws.once('open', () => {
      signal?.removeEventListener('abort', onAbort);
      ws.removeAllListeners();
      // Frames that came with the 101 answer (the first heartbeat, a payload, the task manifest) would be
      // emitted before the caller, resumed after this promise, listens for them: hold them until it resumes.
      ws.pause();
      resolve(ws);
    });
    ws.once('error', fail);
    ws.once('unexpected-response', (req, res: IncomingMessage) => {
      readBody(res)
        .then((body) => fail(new HandshakeRefusedError(res.statusCode ?? 0, decodeHandshakeError(body))))
        .catch(() => fail(new HandshakeRefusedError(res.statusCode ?? 0, undefined)))
        .finally(() => req.destroy());
    });
  });
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REFUSAL_BODY_BYTES) chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
