/**
 * The newest point of the control plane's timeline this agent has acted on: the highest PayloadMessage
 * `seqNum` it acknowledged or TaskManifestMessage `timeline` it applied (one number space per container
 * instance). A manifest at or before it was made before something the agent already applied, so it
 * describes an older world and is ignored (ECS's agent: `latestSeqNumberTaskManifest`).
 *
 * Persisted through `persist` (the agent keeps it beside its saved registration), so a restarted agent
 * still ignores a stale manifest. Persisting is best effort: losing the number only lets a manifest act that
 * is at worst as old as the agent's restart, and stop verification still guards every stop of a running task.
 */
import { pino, type Logger } from 'pino';

export interface ManifestTimelineOptions {
  /** The number saved by the last run. @default 0 */
  readonly initial?: number;
  /** Saves a new highest number durably. @default nothing is saved */
  readonly persist?: (seq: number) => void | Promise<void>;
  readonly log?: Logger;
}

export class ManifestTimeline {
  readonly #persist: ((seq: number) => void | Promise<void>) | undefined;
  readonly #log: Logger;
  #highest: number;

  constructor(options: ManifestTimelineOptions = {}) {
    this.#highest = options.initial ?? 0;
    this.#persist = options.persist;
    this.#log = options.log ?? pino({ level: 'silent' });
  }

  get highest(): number {
    return this.#highest;
  }

  /** Whether `seq` comes after everything the agent has acted on. */
  isNewer(seq: number): boolean {
    return Number.isFinite(seq) && seq > this.#highest;
  }

  /** Moves the timeline forward to `seq` (never back) and saves it. */
  async advance(seq: number): Promise<void> {
    if (!this.isNewer(seq)) return;
    this.#highest = seq;
    try {
      await this.#persist?.(seq);
    } catch (err) {
      this.#log.warn({ err, seq }, 'could not save the task manifest sequence number');
    }
  }
}
