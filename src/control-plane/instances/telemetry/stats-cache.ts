/**
 * The latest CPU and memory figures agents published over telemetry, per container of a task and per
 * instance, kept in memory for the metrics capability and shown on `/metrics` meanwhile.
 *
 * Bounded two ways, which also bounds the label sets on `/metrics`: an entry not refreshed within `ttlMs`
 * (three publications of the stock agent; a stopped task's containers are no longer published) is dropped,
 * and beyond `maxContainers` entries the least recently published goes first.
 */
import type { CWStatsSet } from '../../../acs/telemetry.js';

export interface ContainerStats {
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  readonly taskArn: string;
  readonly containerName: string;
  /** Percent of one CPU (100 = one core busy), averaged over the publication's interval. */
  readonly cpuPercent: number | undefined;
  readonly memoryBytes: number | undefined;
  /** Epoch ms of the publication. */
  readonly at: number;
}

export interface InstanceStats {
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  /** Filesystem utilisation in percent. */
  readonly osFilesystemPercent: number | undefined;
  readonly dataFilesystemPercent: number | undefined;
  readonly at: number;
}

export interface StatsCacheOptions {
  /** @default 60 s: three of the stock agent's 20 s publications */
  readonly ttlMs?: number;
  /** @default 5000 */
  readonly maxContainers?: number;
  readonly now?: () => number;
}

const MIB = 1024 * 1024;

/** The mean of a publication's samples, when it has any. */
export function mean(set: CWStatsSet | undefined): number | undefined {
  if (set?.sum === undefined || set.sampleCount === undefined || set.sampleCount <= 0) return undefined;
  return set.sum / set.sampleCount;
}

export class TelemetryStats {
  readonly #containers = new Map<string, ContainerStats>();
  readonly #instances = new Map<string, InstanceStats>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(o: StatsCacheOptions = {}) {
    this.#ttlMs = o.ttlMs ?? 60_000;
    this.#max = o.maxContainers ?? 5_000;
    this.#now = o.now ?? Date.now;
  }

  recordContainer(
    where: Pick<ContainerStats, 'clusterArn' | 'containerInstanceArn' | 'taskArn' | 'containerName'>,
    cpu: CWStatsSet | undefined,
    memoryMiB: CWStatsSet | undefined,
  ): void {
    const key = `${where.taskArn}\u0000${where.containerName}`;
    const memory = mean(memoryMiB);
    // Deleted first, so that insertion order is publication order and the oldest is evicted first.
    this.#containers.delete(key);
    this.#containers.set(key, {
      ...where,
      cpuPercent: mean(cpu),
      memoryBytes: memory === undefined ? undefined : memory * MIB,
      at: this.#now(),
    });
    for (const oldest of this.#containers.keys()) {
      if (this.#containers.size <= this.#max) break;
      this.#containers.delete(oldest);
    }
  }

  recordInstance(
    clusterArn: string,
    containerInstanceArn: string,
    storage: { readonly OSFilesystem?: number; readonly DataFilesystem?: number },
  ): void {
    this.#instances.set(containerInstanceArn, {
      clusterArn,
      containerInstanceArn,
      osFilesystemPercent: storage.OSFilesystem,
      dataFilesystemPercent: storage.DataFilesystem,
      at: this.#now(),
    });
  }

  /** Every container's latest figures still fresh. */
  containers(): ContainerStats[] {
    return this.#fresh(this.#containers);
  }

  instances(): InstanceStats[] {
    return this.#fresh(this.#instances);
  }

  #fresh<T extends { readonly at: number }>(map: Map<string, T>): T[] {
    const oldest = this.#now() - this.#ttlMs;
    for (const [key, value] of map) if (value.at < oldest) map.delete(key);
    return [...map.values()];
  }
}
