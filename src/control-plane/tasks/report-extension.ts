/**
 * Reading Berth's agent's `berth` member of SubmitTaskStateChange (`acs/state-change-extension.ts`).
 * The member is optional (the stock ECS agent never sends it) and anything malformed in it is ignored,
 * member by member: a report is never refused for its extension.
 */
import { HEALTH_STATUSES, type HealthStatus } from '../../domain/task-report.js';
import { EXTENSION_MEMBER } from '../../acs/state-change-extension.js';

export interface Extension {
  readonly at?: Date;
  readonly startedAt?: Date;
  /** The report's number in the agent's durable queue; present, reports are recorded once each. */
  readonly seq?: number;
  readonly health: ReadonlyMap<string, HealthStatus>;
  readonly restartCounts: ReadonlyMap<string, number>;
}

export function extensionOf(input: unknown): Extension {
  const raw = (input as Record<string, unknown>)[EXTENSION_MEMBER];
  const health = new Map<string, HealthStatus>();
  const restartCounts = new Map<string, number>();
  if (raw === null || typeof raw !== 'object') return { health, restartCounts };
  const { at, startedAt, seq, containers } = raw as {
    at?: unknown;
    startedAt?: unknown;
    seq?: unknown;
    containers?: unknown;
  };
  if (Array.isArray(containers)) {
    for (const c of containers as unknown[]) {
      const { containerName, healthStatus, restartCount } = (c ?? {}) as {
        containerName?: unknown;
        healthStatus?: unknown;
        restartCount?: unknown;
      };
      if (typeof containerName !== 'string') continue;
      if ((HEALTH_STATUSES as readonly unknown[]).includes(healthStatus))
        health.set(containerName, healthStatus as HealthStatus);
      if (isCount(restartCount)) restartCounts.set(containerName, restartCount);
    }
  }
  const atDate = epochSeconds(at);
  const startedDate = epochSeconds(startedAt);
  return {
    ...(atDate !== undefined && { at: atDate }),
    ...(startedDate !== undefined && { startedAt: startedDate }),
    ...(isCount(seq) && { seq }),
    health,
    restartCounts,
  };
}

/** A whole number from 0 up to 2^53 - 1 (SQLite's and JSON's exact integers). */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function epochSeconds(value: unknown): Date | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  // Rounded: seconds as a float do not always come back to the exact millisecond the agent meant.
  const d = new Date(Math.round(value * 1000));
  return Number.isNaN(d.getTime()) ? undefined : d;
}
