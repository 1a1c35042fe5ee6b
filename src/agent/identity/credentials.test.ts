import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  backoff,
  InstanceCredentials,
  InstanceCredentialsRefusedError,
  MAX_ATTEMPTS,
  RETRY_BASE_DELAY_MS,
  RETRY_MAX_DELAY_MS,
} from './credentials.js';
import type { FetchLike } from '../aws-json.js';
import { systemClock, type Clock } from '../../util/clock.js';

const identity = {
  instanceId: 'mi-0123456789abcdef0',
  region: 'us-east-1',
  privateKey: generateKeyPairSync('ed25519').privateKey,
  fingerprint: 'fp',
};
const LIFETIME_S = 1000;

type Answer = { status: number; body: unknown } | 'network-error';

/** A control plane that answers from a script, issuing keys `K1`, `K2`, … that expire LIFETIME_S later. */
function fakeControlPlane(clock: () => Date, script: Answer[] = []) {
  let issued = 0;
  const calls: RequestInit[] = [];
  const fetch: FetchLike = (_url, init) => {
    calls.push(init);
    const answer = script.shift() ?? { status: 200, body: undefined };
    if (answer === 'network-error') return Promise.reject(new TypeError('fetch failed'));
    const body = answer.body ?? {
      AccessKeyId: `K${++issued}`,
      SecretAccessKey: 's',
      SessionToken: 't',
      TokenExpirationDate: clock().getTime() / 1000 + LIFETIME_S,
      UpdateKeyPair: false,
    };
    return Promise.resolve(new Response(JSON.stringify(body), { status: answer.status }));
  };
  return { fetch, calls };
}

function setup(script: Answer[] = []) {
  let nowMs = Date.parse('2024-05-01T00:00:00Z');
  const clock: Clock = { ...systemClock, now: () => nowMs };
  const plane = fakeControlPlane(() => new Date(nowMs), script);
  const delays: number[] = [];
  const creds = new InstanceCredentials({
    endpoint: 'http://control-plane.test',
    identity,
    clock,
    fetch: plane.fetch,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
  });
  return { creds, plane, delays, advance: (s: number) => (nowMs += s * 1000) };
}

const error = (status: number, type: string) => ({
  status,
  body: { __type: type, message: `${type} said no` },
});

void describe('InstanceCredentials', () => {
  void it('signs its request with the instance key and sends the fingerprint', async () => {
    const { creds, plane } = setup();
    await creds.get();
    const headers = plane.calls[0]?.headers as Record<string, string>;
    assert.match(
      headers.authorization ?? '',
      /^BERTH-ED25519 Credential=mi-0123456789abcdef0\/20240501\/us-east-1\/ssm\//,
    );
    assert.equal(headers['x-amz-target'], 'AmazonSSM.RequestManagedInstanceRoleToken');
    assert.equal(plane.calls[0]?.body, '{"Fingerprint":"fp"}');
  });

  void it('shares one request among concurrent callers', async () => {
    const { creds, plane } = setup();
    const got = await Promise.all([creds.get(), creds.get(), creds.get()]);
    assert.deepEqual(
      got.map((c) => c.accessKeyId),
      ['K1', 'K1', 'K1'],
    );
    assert.equal(plane.calls.length, 1);
    assert.equal(got[0]?.expiration.getTime(), Date.parse('2024-05-01T00:00:00Z') + LIFETIME_S * 1000);
  });

  void it('renews in the background once half the lifetime is gone, announcing the new keys', async () => {
    const { creds, plane, advance } = setup();
    const rotated: string[] = [];
    creds.onRotated((c) => rotated.push(c.accessKeyId));
    await creds.get();
    advance(LIFETIME_S * 0.49);
    assert.equal((await creds.get()).accessKeyId, 'K1');
    assert.equal(plane.calls.length, 1);
    advance(LIFETIME_S * 0.02);
    assert.equal((await creds.get()).accessKeyId, 'K1', 'still valid: returned at once');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(rotated, ['K1', 'K2']);
    assert.equal((await creds.get()).accessKeyId, 'K2');
    assert.equal(plane.calls.length, 2);
  });

  void it('waits for new keys once the old ones have expired', async () => {
    const { creds, advance } = setup();
    await creds.get();
    advance(LIFETIME_S + 1);
    assert.equal((await creds.get()).accessKeyId, 'K2');
  });

  void it('retries transient failures with growing delays', async () => {
    const { creds, plane, delays } = setup([
      'network-error',
      error(500, 'InternalServerError'),
      error(400, 'ThrottlingException'),
    ]);
    assert.equal((await creds.get()).accessKeyId, 'K1');
    assert.equal(plane.calls.length, 4);
    assert.equal(delays.length, 3);
    assert.ok((delays[0] ?? 0) < (delays[2] ?? 0));
  });

  void it('gives up after MAX_ATTEMPTS, and tries again on the next call', async () => {
    const { creds, plane } = setup(
      Array.from({ length: MAX_ATTEMPTS }, () => error(503, 'ServiceUnavailable')),
    );
    await assert.rejects(creds.get(), /ServiceUnavailable/);
    assert.equal(plane.calls.length, MAX_ATTEMPTS);
    assert.equal((await creds.get()).accessKeyId, 'K1');
  });

  void it('does not retry a request the control plane finds wrong, but tries again later', async () => {
    const { creds, plane } = setup([error(400, 'InvalidSignatureException')]);
    await assert.rejects(creds.get(), /InvalidSignatureException/);
    assert.equal(plane.calls.length, 1);
    assert.equal((await creds.get()).accessKeyId, 'K1');
  });

  for (const [type, reason] of [
    ['InvalidInstanceId', 'deregistered'],
    ['UnrecognizedClientException', 'unknown-instance'],
    ['AccessDeniedException', 'fingerprint-mismatch'],
  ] as const) {
    void it(`stops for good on ${type}`, async () => {
      const { creds, plane } = setup([error(400, type)]);
      for (let i = 0; i < 2; i++) {
        await assert.rejects(
          creds.get(),
          (e: unknown) =>
            e instanceof InstanceCredentialsRefusedError &&
            e.reason === reason &&
            e.code === type &&
            !e.retriable,
        );
      }
      assert.equal(plane.calls.length, 1);
    });
  }

  void it('backs off exponentially, with jitter, up to a cap', () => {
    assert.equal(
      backoff(1, () => 0),
      RETRY_BASE_DELAY_MS / 2,
    );
    assert.equal(
      backoff(1, () => 1),
      RETRY_BASE_DELAY_MS,
    );
    assert.equal(
      backoff(3, () => 1),
      RETRY_BASE_DELAY_MS * 4,
    );
    assert.equal(
      backoff(30, () => 1),
      RETRY_MAX_DELAY_MS,
    );
  });
});
