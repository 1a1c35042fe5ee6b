import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { DockerClient, DockerEvent, EventSubscriptionOptions } from './docker/docker-client.js';
import type { EngineClock } from './clock.js';
import { EventFeed, EVENTS_RETRY_MIN_MS } from './event-feed.js';

/** A clock whose timers run when the test says so. */
function manualClock(): EngineClock & { run(): void; delays: number[] } {
  const timers: (() => void)[] = [];
  const delays: number[] = [];
  return {
    now: () => 1_700_000_000_000,
    after(ms, fn) {
      delays.push(ms);
      timers.push(fn);
      return () => undefined;
    },
    run() {
      for (const fn of timers.splice(0)) fn();
    },
    delays,
  };
}

void describe('docker event feed', () => {
  void it('re-opens a dropped stream from the last event seen, backing off, and asks for a resync', () => {
    const subscriptions: {
      options: EventSubscriptionOptions;
      emit: (e: DockerEvent) => void;
      end: (e?: Error) => void;
    }[] = [];
    const docker = {
      subscribeEvents(options, onEvent, onEnd) {
        subscriptions.push({ options, emit: onEvent, end: onEnd });
        return { close: () => undefined };
      },
    } as Pick<DockerClient, 'subscribeEvents'> as DockerClient;
    const clock = manualClock();
    const seen: string[] = [];
    let resyncs = 0;
    const feed = new EventFeed({
      docker,
      labels: ['com.amazonaws.ecs.task-arn'],
      clock,
      log: pino({ level: 'silent' }),
      onEvent: (e) => seen.push(e.action),
      onReconnect: () => resyncs++,
    });
    feed.open();
    assert.equal(subscriptions.length, 1);
    const t = 1_700_000_005_000_000_000n;
    subscriptions[0]!.emit({ type: 'container', action: 'die', id: 'c1', attributes: {}, timeNano: t });
    subscriptions[0]!.end(new Error('socket hang up'));
    subscriptions[0]!.end(); // a second end is ignored by the client; the feed must not double up either
    assert.deepEqual(clock.delays, [EVENTS_RETRY_MIN_MS, EVENTS_RETRY_MIN_MS * 2]);
    clock.run();
    assert.equal(subscriptions.length, 3);
    assert.equal(subscriptions[1]!.options.sinceNano, t - 1_000_000_000n);
    assert.equal(resyncs, 2);
    assert.deepEqual(seen, ['die']);
    feed.close();
    subscriptions[2]!.end(new Error('after close'));
    assert.equal(clock.delays.length, 2, 'no retry after close');
  });
});
