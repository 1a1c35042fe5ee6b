/**
 * What the benchmarks share: the real `berth server` as a child process (so its CPU and memory are its own,
 * apart from the client's), figures about a Linux process from /proc, and a printed table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../src/sigv4/sha256.js';

export const REPO = fileURLToPath(new URL('..', import.meta.url));

export type ServerBuild = 'src' | 'dist';

export interface ServerChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  readonly exited: Promise<void>;
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

/** Starts `berth server` on a free loopback port with `extraArgs`, and waits until /health answers. */
export async function startServer(
  dataDir: string,
  which: ServerBuild,
  extraArgs: readonly string[] = [],
): Promise<ServerChild> {
  const port = await freePort();
  const entry = which === 'dist' ? ['dist/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  if (which === 'dist' && !existsSync(join(REPO, 'dist/cli/main.js'))) {
    throw new Error('dist/ is not built: run `npm run build` or use --server src');
  }
  // node itself (not `npx tsx`), so that the pid whose CPU and memory we read is the server's.
  const child = spawn(
    process.execPath,
    [
      ...entry,
      'server',
      '--listen',
      `127.0.0.1:${port}`,
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      ...extraArgs,
    ],
    { cwd: REPO, env: { ...process.env, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) throw new Error(`the server exited during start-up:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /health within 30 s:\n${stderr}`);
    }
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    pid: child.pid!,
    url,
    exited,
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Memory figures of a Linux process, in MiB (VmRSS now, VmHWM the peak so far); undefined elsewhere. */
export function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds a Linux process has used so far (user + system); undefined elsewhere. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    // Fields after the command name (which may contain spaces, hence the last ')'); utime and stime are the
    // 12th and 13th of them, in USER_HZ ticks, which Linux fixes at 100 per second for /proc.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export { readAdminKeys } from '../src/control-plane/auth/bootstrap.js';
import { freePort } from '../test/rigs/harness.js';

export { freePort };

/** The p-th percentile of ascending values (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Rows of cells; the first column left-aligned, the others right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
}

export function mib(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? 'n/a' : `${n.toFixed(1)} MiB`;
}

/** CreateActivation, signed with the administrator's keys (no SSM SDK client is a dependency). */
export async function createActivation(
  url: string,
  keys: { accessKeyId: string; secretAccessKey: string },
  limit: number,
  region = 'us-east-1',
): Promise<{ id: string; code: string }> {
  const body = JSON.stringify({ IamRole: 'ecsAnywhereRole', RegistrationLimit: limit });
  const { hostname: host, port } = new URL(url);
  const signer = new SignatureV4({ credentials: keys, region, service: 'ssm', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: host,
    port: Number(port),
    path: '/',
    query: {},
    headers: {
      host: `${host}:${port}`,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.CreateActivation',
    },
    body,
  });
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host'));
  const res = await fetch(`${url}/`, { method: 'POST', headers, body });
  const out = (await res.json()) as { ActivationId?: string; ActivationCode?: string; message?: string };
  if (!res.ok || out.ActivationId === undefined || out.ActivationCode === undefined) {
    throw new Error(`CreateActivation failed (${res.status}): ${out.message ?? JSON.stringify(out)}`);
  }
  return { id: out.ActivationId, code: out.ActivationCode };
}
