/**
 * dockerd's event stream for this agent's containers, kept open: when it drops (dockerd restarted, socket
 * reset) it is opened again after a pause, from just before the last event seen, so nothing in between is
 * lost; `onReconnect` then lets the engine look at every container again in case an event was missed
 * anyway. Repeated events are harmless: the managed tasks inspect the container on each one.
 */
import type { Logger } from 'pino';
import type { DockerClient, DockerEvent, EventSubscription } from './docker/docker-client.js';
import type { EngineClock } from './clock.js';

/** First pause before re-opening a dropped stream; doubled per failure up to the maximum. */
export const EVENTS_RETRY_MIN_MS = 1_000;
export const EVENTS_RETRY_MAX_MS = 30_000;
/** Resume this far before the last event seen: event times are rounded by JSON, replays are harmless. */
const RESUME_OVERLAP_NS = 1_000_000_000n;

export interface EventFeedOptions {
  readonly docker: DockerClient;
  readonly labels: readonly string[];
  readonly clock: EngineClock;
  readonly log: Logger;
  readonly onEvent: (event: DockerEvent) => void;
  readonly onReconnect: () => void;
}

export class EventFeed {
  readonly #o: EventFeedOptions;
  #subscription: EventSubscription | undefined;
  #cancelRetry: (() => void) | undefined;
  #lastNano: bigint;
  #failures = 0;
  #closed = false;

  constructor(options: EventFeedOptions) {
    this.#o = options;
    this.#lastNano = BigInt(options.clock.now()) * 1_000_000n;
  }

  open(): void {
    this.#connect(false);
  }

  close(): void {
    this.#closed = true;
    this.#cancelRetry?.();
    this.#subscription?.close();
  }

  #connect(reconnecting: boolean): void {
    if (this.#closed) return;
    this.#subscription = this.#o.docker.subscribeEvents(
      { labels: this.#o.labels, sinceNano: this.#lastNano - RESUME_OVERLAP_NS },
      (event) => {
        this.#failures = 0;
        if (event.timeNano > this.#lastNano) this.#lastNano = event.timeNano;
        this.#o.onEvent(event);
      },
      (error) => this.#dropped(error),
    );
    if (reconnecting) this.#o.onReconnect();
  }

  #dropped(error: Error | undefined): void {
    if (this.#closed) return;
    const delay = Math.min(EVENTS_RETRY_MAX_MS, EVENTS_RETRY_MIN_MS * 2 ** this.#failures);
    this.#failures++;
    this.#o.log.warn(
      { err: error?.message, retryInMs: delay },
      'docker event stream ended; opening it again',
    );
    this.#cancelRetry = this.#o.clock.after(delay, () => this.#connect(true));
  }
}
