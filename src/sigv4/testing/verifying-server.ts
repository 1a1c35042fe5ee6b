/**
 * A node:http server on 127.0.0.1 that runs the verifier on exactly what it receives and answers in
 * awsJson1.1, for real clients (the JavaScript SDK, the AWS CLI) to call with the keys below.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorResponse, successResponse } from '../../ecs/aws-json.js';
import type { WireResponse } from '../../ecs/aws-json.js';
import { ApiError, isApiError } from '../../ecs/errors.js';
import type { SecretLookup, SigningSecret, VerifiedCaller, VerifyOptions } from '../sigv4.js';
import { verifySigV4 } from '../sigv4.js';

export const AKID = 'AKIDSDKTEST000000001';
export const SECRET = 'sdk/Secret+Key/EXAMPLE00000000000000000';
export const TEMP_AKID = 'ASIASDKTEST000000002';
export const TEMP_SECRET = 'temp/Secret+Key/EXAMPLE0000000000000000';
export const TOKEN = 'IQoJb3JpZ2luX2VjESdk/session+token==';

const KEYS = new Map<string, SigningSecret>([
  [AKID, { secretAccessKey: SECRET }],
  [TEMP_AKID, { secretAccessKey: TEMP_SECRET, sessionToken: TOKEN }],
]);
const lookup: SecretLookup = (id) => Promise.resolve(KEYS.get(id));

const VERIFY: Omit<VerifyOptions, 'now'> = { services: ['ecs', 'ssm', 'logs'], regions: ['us-east-1'] };

export interface VerifyingServer {
  readonly endpoint: string;
  /** Every caller the verifier let through, in order. */
  readonly callers: VerifiedCaller[];
  close(): Promise<void>;
}

export async function startVerifyingServer(): Promise<VerifyingServer> {
  const callers: VerifiedCaller[] = [];
  const server = createServer((req, res) => handle(req, res, callers));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    callers,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function handle(req: IncomingMessage, res: ServerResponse, callers: VerifiedCaller[]): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const requestId = randomUUID();
    const signed = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    verifySigV4(signed, lookup, { ...VERIFY, now: new Date() }).then(
      (caller) => {
        callers.push(caller);
        send(res, successResponse(requestId, {}));
      },
      (e: unknown) => {
        const error = isApiError(e) ? e : new ApiError('InternalFailure', 'verification crashed');
        send(res, errorResponse(requestId, error));
      },
    );
  });
}

function send(res: ServerResponse, wire: WireResponse): void {
  res.writeHead(wire.status, wire.headers);
  res.end(wire.body);
}
