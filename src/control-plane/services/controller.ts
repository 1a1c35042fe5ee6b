/**
 * The service controller: one loop that keeps every ACTIVE service at its desired state and finishes the
 * deletion of DRAINING ones. A pass evaluates each service of each ACTIVE cluster through the applier
 * (`service-apply.ts`: read, reconcile, commit, one transaction per service) and then tells the agent
 * gateway which instances have new work.
 *
 * When a pass runs: soon after anything it depends on changed (a task placed, stopped or reporting a new
 * status; a service created, updated or deleted; an instance registered or drained: announced on the
 * server's change bus), and every `intervalMs` regardless, which is what notices time passing (tasks becoming
 * healthy, throttle delays ending, a disconnected host staying away) and changes nobody announces (an
 * agent's connection). Triggers during a pass coalesce into one more pass after it; a pass that changes
 * nothing announces nothing, so the loop comes to rest.
 */
import type { Logger } from 'pino';
import type { SnapshotSource } from '../context.js';
import { newTaskId } from '../tasks/new-task.js';
import type { Arns } from '../../ecs/arn.js';
import { HEALTHY_AFTER_RUNNING_MS, type ReconcileSettings } from '../../scheduler/reconcile/index.js';
import type { Store } from '../store/types.js';
import { evaluateService } from './apply.js';
import type { ChangeBus } from '../events.js';

/** Five seconds: health and throttle deadlines are tens of seconds, so a pass this often is timely enough. */
export const DEFAULT_SERVICE_PASS_INTERVAL_MS = 5_000;
/**
 * Launch failures in a row before the throttle slows launches: the circuit breaker's smallest threshold, so
 * a deployment with the breaker on always gets to fail (and roll back) before it is slowed down.
 */
export const THROTTLE_FREE_FAILURES = 10;
/** The first throttle delay; it doubles with each further failure. */
export const THROTTLE_BASE_MS = 5_000;
/** ECS: the delay between restart attempts grows "up to a maximum of 15 minutes". */
export const THROTTLE_MAX_MS = 15 * 60_000;
/** ECS suppresses a repeated service event while its cause persists, for up to 6 hours. */
export const EVENT_REPEAT_MS = 6 * 3_600_000;
const PAGE = 100;

export interface ServiceControllerOptions {
  readonly store: Store;
  readonly arns: Arns;
  readonly log: Logger;
  readonly now: () => Date;
  /** The server's change bus: the controller listens to task and cluster changes and announces its own. */
  readonly changes: ChangeBus;
  readonly snapshots: SnapshotSource;
  /** @default DEFAULT_SERVICE_PASS_INTERVAL_MS */
  readonly intervalMs?: number;
  /** Overrides of the reconciler's settings (tests shorten the health delay and the throttle). */
  readonly settings?: Partial<ReconcileSettings>;
}

export class ServiceController {
  readonly #o: ServiceControllerOptions;
  readonly #settings: ReconcileSettings;
  readonly #disconnectedSince = new Map<string, number>();
  #dirty = false;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void)[] = [];
  #stopped = false;
  #passes = 0;

  constructor(options: ServiceControllerOptions) {
    this.#o = options;
    this.#settings = {
      healthyAfterRunningMs: HEALTHY_AFTER_RUNNING_MS,
      throttleFreeFailures: THROTTLE_FREE_FAILURES,
      throttleBaseMs: THROTTLE_BASE_MS,
      throttleMaxMs: THROTTLE_MAX_MS,
      eventRepeatMs: EVENT_REPEAT_MS,
      ...options.settings,
    };
  }

  start(): void {
    // Every service is evaluated on any change; cheap enough for now.
    this.#unsubscribe = [
      this.#o.changes.on('tasksChanged', () => this.kick()),
      this.#o.changes.on('clusterChanged', () => this.kick()),
    ];
    this.#timer = setInterval(() => this.kick(), this.#o.intervalMs ?? DEFAULT_SERVICE_PASS_INTERVAL_MS);
    this.#timer.unref();
    this.kick();
  }

  /** Asks for a pass soon. */
  kick(): void {
    if (this.#stopped) return;
    this.#dirty = true;
    this.#running ??= this.#loop();
  }

  /** Passes completed so far (tests wait on it). */
  get passes(): number {
    return this.#passes;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await this.#running;
  }

  async #loop(): Promise<void> {
    try {
      while (this.#dirty && !this.#stopped) {
        this.#dirty = false;
        try {
          await this.#pass();
        } catch (err) {
          this.#o.log.error({ err }, 'service controller pass failed');
        }
        this.#passes += 1;
      }
    } finally {
      this.#running = undefined;
    }
  }

  async #pass(): Promise<void> {
    const changed = new Set<string>();
    for (const serviceArn of await this.#serviceArns()) {
      if (this.#stopped) return;
      try {
        const applied = await evaluateService(
          {
            store: this.#o.store,
            arns: this.#o.arns,
            now: this.#o.now,
            settings: this.#settings,
            disconnectedSince: this.#disconnectedSince,
            newTaskId,
            snapshots: this.#o.snapshots,
            log: this.#o.log,
          },
          serviceArn,
        );
        for (const arn of applied.instances) changed.add(arn);
        if (applied.plan !== undefined && (applied.plan.place.length > 0 || applied.plan.stop.length > 0)) {
          this.#o.log.info(
            { service: serviceArn, placed: applied.plan.place.length, stopped: applied.plan.stop.length },
            'service reconciled',
          );
        }
      } catch (err) {
        // One broken service must not keep the others from being reconciled.
        this.#o.log.error({ err, service: serviceArn }, 'could not reconcile service');
      }
    }
    for (const arn of changed) this.#o.changes.tasksChanged(arn);
  }

  async #serviceArns(): Promise<string[]> {
    const arns: string[] = [];
    let after: string | undefined;
    do {
      const clusters = await this.#o.store.clusters.listActive({
        limit: PAGE,
        ...(after !== undefined && { after }),
      });
      for (const cluster of clusters.items) {
        let serviceAfter: string | undefined;
        do {
          const page = await this.#o.store.services.list(
            { clusterArn: cluster.clusterArn, statuses: ['ACTIVE', 'DRAINING'] },
            { limit: PAGE, ...(serviceAfter !== undefined && { after: serviceAfter }) },
          );
          arns.push(...page.items.map((s) => s.serviceArn));
          serviceAfter = page.nextKey;
        } while (serviceAfter !== undefined);
      }
      after = clusters.nextKey;
    } while (after !== undefined);
    return arns;
  }
}
