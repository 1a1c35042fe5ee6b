/**
 * The HTTP front door: `POST /` carries the AWS JSON APIs; `GET /health` answers load balancers and probes;
 * `GET /metrics` serves Prometheus metrics (counts and timings only, nothing secret); `GET /install.sh` and
 * `GET /agent/berth.tgz` serve the agent's install script and package to hosts that have no credentials yet
 * (neither holds anything secret: the activation code is what a host proves itself with). Agent sessions
 * arrive as `upgrade` requests, which the gateway handles (see server.ts).
 * Bodies are capped so that no request can make the server buffer without bound.
 */
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { errorResponse } from '../../ecs/aws-json.js';
import { ApiError } from '../../ecs/errors.js';
import type { Dispatcher } from './dispatch.js';

/** Well above ECS's 64 KiB task definition limit and CloudWatch Logs' 1 MiB batches. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface HealthReport {
  readonly ok: boolean;
  readonly [key: string]: unknown;
}

export interface MetricsReport {
  readonly contentType: string;
  readonly body: string;
}

/** What a host downloads to install the agent. */
export interface AgentDownloads {
  /** The install script, with this control plane's URL as its default `--endpoint`. */
  installScript(): string;
  /** The agent package tarball; rejects with a message for the operator when it cannot be built. */
  agentPackage(): Promise<{ readonly path: string; readonly size: number }>;
}

export const INSTALL_SCRIPT_PATH = '/install.sh';
export const AGENT_PACKAGE_PATH = '/agent/berth.tgz';

export function createHttpServer(
  dispatch: Dispatcher,
  health: () => Promise<HealthReport>,
  log: Logger,
  metrics?: () => Promise<MetricsReport>,
  downloads?: AgentDownloads,
): Server {
  const server = createServer((req, res) => {
    handle(req, res, dispatch, health, metrics, downloads, log).catch((err: unknown) => {
      log.error({ err }, 'request handling failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  dispatch: Dispatcher,
  health: () => Promise<HealthReport>,
  metrics: (() => Promise<MetricsReport>) | undefined,
  downloads: AgentDownloads | undefined,
  log: Logger,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && downloads && (path === INSTALL_SCRIPT_PATH || path === AGENT_PACKAGE_PATH)) {
    await serveDownload(res, path, downloads, log);
    return;
  }
  if (req.method === 'GET' && (path === '/health' || path === '/healthz')) {
    const report = await health();
    send(res, report.ok ? 200 : 503, { 'content-type': 'application/json' }, JSON.stringify(report));
    return;
  }
  if (req.method === 'GET' && path === '/metrics' && metrics) {
    const report = await metrics();
    send(res, 200, { 'content-type': report.contentType }, report.body);
    return;
  }
  if (req.method !== 'POST' || path !== '/') {
    send(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Not Found' }));
    return;
  }
  const body = await readBody(req);
  if (body === undefined) {
    const tooLarge = new ApiError(
      'RequestEntityTooLargeException',
      `Request body exceeds ${MAX_BODY_BYTES} bytes.`,
    );
    const r = errorResponse('-', tooLarge);
    send(res, r.status, { ...r.headers, connection: 'close' }, r.body);
    return;
  }
  const response = await dispatch({ method: req.method, url: req.url ?? '/', headers: req.headers, body });
  send(res, response.status, response.headers, response.body);
}

async function serveDownload(
  res: ServerResponse,
  path: string,
  downloads: AgentDownloads,
  log: Logger,
): Promise<void> {
  if (path === INSTALL_SCRIPT_PATH) {
    send(res, 200, { 'content-type': 'text/x-shellscript; charset=utf-8' }, downloads.installScript());
    return;
  }
  let file;
  try {
    file = await downloads.agentPackage();
  } catch (err) {
    // The install script prints this message on the host; the operator's fix is in it.
    log.error({ err }, 'agent package unavailable');
    const message = err instanceof Error ? err.message : String(err);
    send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ message }));
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/gzip',
    'content-length': String(file.size),
    'content-disposition': 'attachment; filename="berth.tgz"',
  });
  await pipeline(createReadStream(file.path), res);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string,
): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  res.end(bytes);
}
