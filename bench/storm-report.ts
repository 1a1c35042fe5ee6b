/**
 * The figures and printed report of the reconnect-storm bench (bench/reconnect-storm.ts): CPU used per phase,
 * sums and per-agent times over the simulated agents (bench/storm-agent.ts), the summary lines and what went
 * wrong after the storm, and the heading and table printed at the end.
 */
import { cpuSecondsOf, mib, percentile, table, type memoryOf, type ServerBuild } from './child-server.js';
import { zeroCounts, type Counts, type DropMode, type Marks, type SimAgent } from './storm-agent.js';

/** CPU seconds used so far by the control plane (undefined off Linux) and by this process (the agents). */
export interface Cpu {
  readonly server: number | undefined;
  readonly agents: number;
}

/** The CPU used so far by the control plane (process `pid`) and by this process. */
export function cpuNow(pid: number): Cpu {
  const own = process.cpuUsage();
  return { server: cpuSecondsOf(pid), agents: (own.user + own.system) / 1e6 };
}

/** The CPU used from `a` to `b`; undefined without `b`. */
export function cpuBetween(a: Cpu, b: Cpu | undefined): Cpu | undefined {
  return b === undefined
    ? undefined
    : {
        server: a.server === undefined || b.server === undefined ? undefined : b.server - a.server,
        agents: b.agents - a.agents,
      };
}

/** One line of the table: a phase, or a point within one. */
export interface Row {
  readonly what: string;
  readonly ms: number | undefined;
  readonly perAgent?: Float64Array;
  readonly failed?: number;
  readonly cpu: Cpu | undefined;
}

/** One count summed over the agents. */
export const total = (agents: readonly SimAgent[], key: keyof Counts) =>
  agents.reduce((sum, a) => sum + a.counts[key], 0);

/** Every count summed over the agents, less what it was at `since` (if given). */
export function totals(agents: readonly SimAgent[], since?: Counts): Counts {
  const sums = zeroCounts();
  for (const key of Object.keys(sums) as (keyof Counts)[]) {
    sums[key] = total(agents, key) - (since?.[key] ?? 0);
  }
  return sums;
}

/** Per-agent times of one mark, in ms after `t0`, ascending; agents without the mark are left out. */
export function marksAfter(agents: readonly SimAgent[], key: keyof Marks, t0: number): Float64Array {
  return Float64Array.from(
    agents.flatMap((a) => (a.marks[key] === undefined ? [] : [a.marks[key] - t0])),
  ).sort();
}

const seconds = (ms: number | undefined) =>
  ms === undefined || !Number.isFinite(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`;
const msText = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : 'n/a');
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !(b > 0) ? 'n/a' : `${(a / b).toFixed(1)}×`;

type Memory = ReturnType<typeof memoryOf>;

/** What the summary lines after the storm are made of. */
export interface StormFigures {
  readonly agents: number;
  readonly tasks: number;
  readonly strays: number;
  /** The join: registration's wall time and the baseline (the first connect's). */
  readonly registerWall: number;
  readonly initialOpenMs: number | undefined;
  /** In the storm: until every session was open, and until every agent was reconciled. */
  readonly allOpenMs: number | undefined;
  readonly allReconciledMs: number | undefined;
  /** Manifests that arrived before the drop. */
  readonly manifestsAtJoin: number;
  /** The counts of the storm alone. */
  readonly storm: Counts;
  /** Agents that acknowledged a fresh manifest in the storm. */
  readonly withManifest: number;
  /** State changes queued while away. */
  readonly queued: number;
  /** Failed report attempts since the drop, and sessions closed unexpectedly over the run, as they are now. */
  readonly reportFailures: number;
  readonly unexpectedCloses: number;
  /** What ListTasks says after the storm. */
  readonly stoppedTasks: number;
  readonly runningTasks: number;
  readonly beforeDrop: Memory;
  readonly whileAway: Memory;
  readonly stormPeak: number;
  /** How often `stormPeak` was sampled. */
  readonly sampleMs: number;
  readonly afterStorm: Memory;
  readonly stormMs: number;
  readonly stormCpu: Cpu | undefined;
  /** This process's peak RSS so far, in MiB. */
  readonly benchPeak: number;
}

/** The lines printed under the table when the storm ran to its end. */
export function stormLines(f: StormFigures): string[] {
  return [
    `storm against the baseline (the first connect of the same fleet, ${seconds(f.initialOpenMs)}): ` +
      `all sessions open ${ratio(f.allOpenMs, f.initialOpenMs)}, all reconciled ${ratio(f.allReconciledMs, f.initialOpenMs)}; ` +
      `against the whole join (register + connect, ${seconds(f.registerWall + (f.initialOpenMs ?? NaN))}): ` +
      `all reconciled ${ratio(f.allReconciledMs, f.registerWall + (f.initialOpenMs ?? NaN))}`,
    `manifests: ${f.manifestsAtJoin} arrived before the drop (first connect and periodic); in the storm ` +
      `${f.storm.manifests} arrived (${f.storm.staleManifests} stale, discarded), ${f.withManifest} of ` +
      `${f.agents} agents acknowledged a fresh one; stop verifications sent ${f.storm.verificationsSent}, ` +
      `answered ${f.storm.verificationAcks}, stray tasks the control plane said to stop ` +
      `${f.storm.straysStopped} of ${f.agents * f.strays}`,
    `reports: ${f.storm.reportsAcked} state changes delivered and acknowledged in the storm, of ${f.queued} queued ` +
      `while away; ${f.reportFailures} failed attempts (retried); ` +
      `control plane now lists ${f.stoppedTasks} tasks desired STOPPED and ${f.runningTasks} desired RUNNING ` +
      `(expected ${f.queued} and ${f.agents * f.tasks - f.queued})`,
    `control plane memory: RSS with the fleet connected ${mib(f.beforeDrop?.rss)}, while all were away ` +
      `${mib(f.whileAway?.rss)}, peak during the storm ${mib(f.stormPeak)} (sampled every ${f.sampleMs} ms), ` +
      `after it ${mib(f.afterStorm?.rss)}; VmHWM over the whole run ${mib(f.afterStorm?.peak)}`,
    `CPU during the storm (${seconds(f.stormMs)}): control plane ${f.stormCpu?.server?.toFixed(2) ?? 'n/a'} s, ` +
      `this process (all simulated agents) ${f.stormCpu?.agents.toFixed(2) ?? 'n/a'} s; ` +
      `sessions closed unexpectedly during the run ${f.unexpectedCloses}; ` +
      `bench process (all simulated agents) peak RSS ${mib(f.benchPeak)}`,
  ];
}

/** What the storm's outcome is judged on. */
export interface StormOutcome {
  /** The time cap per phase, in seconds. */
  readonly seconds: number;
  /** Every agent was reconciled within the cap, and how many were. */
  readonly reconciled: boolean;
  readonly reconciledAgents: number;
  /** Agents that acknowledged a fresh manifest in the storm. */
  readonly withManifest: number;
  /** Manifests that arrived before the drop. */
  readonly manifestsAtJoin: number;
  /** The counts of the storm alone. */
  readonly storm: Counts;
  /** The last ListContainerInstances poll: when it first counted the whole fleet connected, if it did. */
  readonly serverConnected: {
    readonly at: number | undefined;
    readonly last: number;
    readonly error?: string;
  };
}

/** What went wrong in the storm, one FAILED line each; none if nothing did. */
export function stormProblems(agents: readonly SimAgent[], f: StormOutcome): string[] {
  const problems: string[] = [];
  if (!f.reconciled) {
    const notOpen = agents.filter((a) => !a.open).length;
    const verifying = agents.filter((a) => a.verifying).length;
    const reportsPending = agents.filter((a) => !a.reportsSettled).length;
    const why: string[] = [];
    if (f.withManifest < agents.length) {
      why.push(
        f.storm.manifests === 0
          ? `no agent received a TaskManifestMessage after reconnecting (${f.manifestsAtJoin} arrived at the ` +
              `first connect): the control plane does not send one when a session opens`
          : `${agents.length - f.withManifest} agents received no fresh TaskManifestMessage ` +
              `(${f.storm.manifests} arrived, ${f.storm.staleManifests} of them stale: timeline not above the ` +
              `latest payload seqNum)`,
      );
    }
    if (notOpen > 0) {
      why.push(
        `${notOpen} sessions not open (last handshake error: ` +
          `${agents.find((a) => a.lastConnectError)?.lastConnectError ?? 'none'})`,
      );
    }
    if (verifying > 0) why.push(`${verifying} agents still wait for a TaskStopVerificationAck`);
    if (reportsPending > 0) {
      why.push(
        `${reportsPending} agents have state changes unacknowledged (last error: ` +
          `${agents.find((a) => a.lastReportError)?.lastReportError ?? 'none'})`,
      );
    }
    problems.push(
      `not reconciled within the ${f.seconds} s cap: ${f.reconciledAgents} of ${agents.length} agents; ` +
        why.join('; '),
    );
  }
  if (f.serverConnected.at === undefined) {
    problems.push(
      `the control plane counted ${f.serverConnected.last} of ${agents.length} instances connected at the cap` +
        (f.serverConnected.error !== undefined ? ` (last error: ${f.serverConnected.error})` : ''),
    );
  }
  const serverErrors = agents.find((a) => a.lastServerError)?.lastServerError;
  if (serverErrors !== undefined) {
    problems.push(`the control plane sent ${total(agents, 'serverErrors')} errors; one: ${serverErrors}`);
  }
  const ignored = agents.find((a) => a.lastIgnoredFrame)?.lastIgnoredFrame;
  if (ignored !== undefined) {
    problems.push(`${total(agents, 'ignoredFrames')} frames could not be decoded; one: ${ignored}`);
  }
  return problems;
}

/** What the heading says about the run: the bench's options. */
export interface RunSettings {
  readonly tasks: number;
  readonly strays: number;
  readonly drop: DropMode;
  readonly seconds: number;
  readonly heartbeatInterval: string | undefined;
  readonly sessionTimeout: string | undefined;
  readonly server: ServerBuild;
}

/** Prints the figures of the phases that ran: the heading, the table, the summary lines, then what failed. */
export function printReport(
  o: RunSettings,
  agents: number,
  rows: readonly Row[],
  lines: readonly string[],
  problems: readonly string[],
): void {
  console.log(
    `berth reconnect-storm bench: ${agents} simulated agents, ${o.tasks} tasks each ` +
      `(${agents * o.tasks} tasks)${o.strays > 0 ? `, ${o.strays} stray task(s) each` : ''}; ` +
      `drop by ${o.drop === 'close' ? 'closing every TCP connection' : 'silence until the session timeout'}; ` +
      `heartbeat ${o.heartbeatInterval ?? 'server default'}, session timeout ${o.sessionTimeout ?? 'server default'}; ` +
      `cap ${o.seconds} s per phase; server from ${o.server === 'dist' ? 'dist/ (built)' : 'src/ via tsx'}, ` +
      `node ${process.version}`,
  );
  console.log('');
  const cpuText = (s: number | undefined) => (s === undefined ? '' : `${s.toFixed(2)} s`);
  const share = (s: number | undefined, ms: number | undefined) =>
    s === undefined || ms === undefined || !(ms > 0) ? '' : `${((s / (ms / 1000)) * 100).toFixed(0)}%`;
  console.log(
    table([
      [
        'phase',
        'wall time',
        'per agent p50',
        'p99',
        'failed (retried)',
        'server CPU',
        'of a core',
        'agents CPU',
        'of a core',
      ],
      ...rows.map((r) => [
        r.what,
        seconds(r.ms),
        r.perAgent === undefined ? '' : msText(percentile(r.perAgent, 50)),
        r.perAgent === undefined ? '' : msText(percentile(r.perAgent, 99)),
        r.failed === undefined ? '' : String(r.failed),
        cpuText(r.cpu?.server),
        share(r.cpu?.server, r.ms),
        cpuText(r.cpu?.agents),
        share(r.cpu?.agents, r.ms),
      ]),
    ]),
  );
  console.log('');
  for (const line of lines) console.log(line);
  for (const p of problems) console.log(`FAILED: ${p}`);
}
