/**
 * CloudWatch Logs throughput: `npx tsx bench/logs.ts` (or `npm run bench:logs`).
 *
 * Starts the real `berth server` as a child process and, over signed HTTP requests:
 * 1. ingests N 100-byte events through PutLogEvents in the largest batches the 1 MiB limit allows (8,322
 *    events of 126 counted bytes), a few batches in flight, into one stream; prints events/s, MiB/s of
 *    messages and the p99 latency per batch (goal: >= 100,000 events/s on 2 cores);
 * 2. reads 10,000 events from the middle of that stream with GetLogEvents (two pages: a page stops at 1 MB);
 * 3. runs a FilterLogEvents term query over all N events, following nextToken to the end (one event in
 *    10,000 matches).
 * The request bodies are built before the clock starts, so the client's JSON work is not counted.
 * 4. then, with Docker and the local registry, the agent's CPU while it ships 1,000 awslogs lines/s
 *    (bench/logs-agent.ts; BENCH_AGENT_SECONDS, default 30; goal: <= 5% of a core).
 *
 * Options: --events N (BENCH_EVENTS, default 1000000), --concurrency C (BENCH_CONCURRENCY, default 4),
 * --server src|dist (BENCH_SERVER, default src).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rawAwsCall } from '../test/rigs/raw-call.js';
import { cpuSecondsOf, percentile, readAdminKeys, startServer, table } from './child-server.js';
import { agentShippingRows, measureAgentShipping } from './logs-agent.js';

const REGION = 'us-east-1';
const MESSAGE_BYTES = 100;
const PER_BATCH = Math.floor(1_048_576 / (MESSAGE_BYTES + 26));
const GOAL_EVENTS_PER_S = 100_000;
const GOAL_GET_MS = 250;
const GOAL_FILTER_S = 5;

function options(): { events: number; concurrency: number; server: 'src' | 'dist' } {
  const { values } = parseArgs({
    options: { events: { type: 'string' }, concurrency: { type: 'string' }, server: { type: 'string' } },
  });
  const events = Number(values.events ?? process.env.BENCH_EVENTS ?? 1_000_000);
  const concurrency = Number(values.concurrency ?? process.env.BENCH_CONCURRENCY ?? 4);
  const server = values.server ?? process.env.BENCH_SERVER ?? 'src';
  if (!(events > 0) || !(concurrency > 0)) throw new Error('--events and --concurrency must be positive');
  if (server !== 'src' && server !== 'dist') throw new Error(`--server must be src or dist, got '${server}'`);
  return {
    events: Math.floor(events),
    concurrency: Math.floor(concurrency),
    server: server,
  };
}

/** A message of exactly MESSAGE_BYTES; every 10,000th carries the term the filter looks for. */
function message(i: number): string {
  const head = `${i % 10_000 === 0 ? 'needle' : 'hay'} event ${i} `;
  return head + 'x'.repeat(MESSAGE_BYTES - head.length);
}

async function main(): Promise<void> {
  const o = options();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-logs-'));
  const server = await startServer(dataDir, o.server);
  try {
    const keys = readAdminKeys(join(dataDir, 'credentials'));
    const target = { url: server.url, keys, region: REGION };
    const call = async (op: string, body: unknown) => {
      const r = await rawAwsCall(target, `Logs_20140328.${op}`, body, { service: 'logs' });
      if (r.status !== 200) throw new Error(`${op}: ${r.text.slice(0, 300)}`);
      return JSON.parse(r.text) as Record<string, unknown>;
    };
    await call('CreateLogGroup', { logGroupName: 'bench' });
    await call('CreateLogStream', { logGroupName: 'bench', logStreamName: 'big' });

    // All timestamps lie in the last few hours, well inside the accepted window; one millisecond apart.
    const base = Date.now() - o.events - 60_000;
    const bodies: string[] = [];
    for (let first = 0; first < o.events; first += PER_BATCH) {
      const logEvents = [];
      for (let i = first; i < Math.min(o.events, first + PER_BATCH); i++) {
        logEvents.push({ timestamp: base + i, message: message(i) });
      }
      bodies.push(JSON.stringify({ logGroupName: 'bench', logStreamName: 'big', logEvents }));
    }

    const cpuBefore = cpuSecondsOf(server.pid);
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const t0 = performance.now();
          await call('PutLogEvents', body);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const ingestS = (performance.now() - started) / 1000;
    const serverCpu = ((cpuSecondsOf(server.pid) ?? NaN) - (cpuBefore ?? NaN)) / ingestS;
    latencies.sort((a, b) => a - b);
    const eventsPerS = o.events / ingestS;
    const mibPerS = (o.events * MESSAGE_BYTES) / 1_048_576 / ingestS;

    // 10,000 events from the middle of the stream, paging as a client does.
    const middle = base + Math.floor(o.events / 2);
    const g0 = performance.now();
    let got = 0;
    let token: string | undefined;
    while (got < 10_000) {
      const page = (await call('GetLogEvents', {
        logGroupName: 'bench',
        logStreamName: 'big',
        startFromHead: true,
        startTime: middle,
        limit: 10_000 - got,
        ...(token && { nextToken: token }),
      })) as { events: unknown[]; nextForwardToken: string };
      got += page.events.length;
      if (page.events.length === 0) break;
      token = page.nextForwardToken;
    }
    const getMs = performance.now() - g0;

    const f0 = performance.now();
    let matched = 0;
    let calls = 0;
    let filterToken: string | undefined;
    do {
      const page = (await call('FilterLogEvents', {
        logGroupName: 'bench',
        filterPattern: 'needle',
        ...(filterToken && { nextToken: filterToken }),
      })) as { events: unknown[]; nextToken?: string };
      matched += page.events.length;
      calls++;
      filterToken = page.nextToken;
    } while (filterToken !== undefined);
    const filterS = (performance.now() - f0) / 1000;

    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log(
      `Logs bench: ${o.events} events of ${MESSAGE_BYTES} bytes, ${PER_BATCH} per batch, ${o.concurrency} in flight`,
    );
    console.log(
      table([
        ['measure', 'result', 'goal', ''],
        [
          'PutLogEvents ingestion',
          `${Math.round(eventsPerS).toLocaleString('en')} events/s, ${mibPerS.toFixed(1)} MiB/s`,
          `>= ${GOAL_EVENTS_PER_S.toLocaleString('en')} events/s`,
          verdict(eventsPerS >= GOAL_EVENTS_PER_S),
        ],
        [
          '  per batch',
          `p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`,
          '',
          '',
        ],
        ['  server CPU', `${(serverCpu * 100).toFixed(0)}% of a core`, '', ''],
        [
          'GetLogEvents 10,000 events',
          `${getMs.toFixed(0)} ms (${got} events)`,
          `<= ${GOAL_GET_MS} ms`,
          verdict(getMs <= GOAL_GET_MS && got === Math.min(10_000, o.events - Math.floor(o.events / 2))),
        ],
        [
          `FilterLogEvents term over ${o.events.toLocaleString('en')}`,
          `${filterS.toFixed(2)} s, ${calls} calls, ${matched} matches`,
          `<= ${GOAL_FILTER_S} s`,
          verdict(filterS <= GOAL_FILTER_S && matched === Math.ceil(o.events / 10_000)),
        ],
      ]),
    );
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // The host side, once the server above is gone: a real agent on Docker shipping awslogs (bench/logs-agent.ts).
  const agent = await measureAgentShipping(Number(process.env.BENCH_AGENT_SECONDS ?? 30));
  console.log(table([['measure', 'result', 'goal', ''], ...agentShippingRows(agent)]));
}

await main();
