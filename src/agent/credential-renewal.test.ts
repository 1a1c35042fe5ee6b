import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { CredentialRenewal, RECHECK_MIN_MS, type RenewableCredentials } from './credential-renewal.js';
import {
  InstanceCredentials,
  InstanceCredentialsRefusedError,
  type InstanceCredentialIdentity,
  type RotationListener,
} from './identity/index.js';
import { MAX_ATTEMPTS } from './identity/credentials.js';
import { AwsJsonCallError, type FetchLike } from './aws-json.js';
import { FakeClock } from '../util/testing/fake-clock.js';

const LIFETIME_MS = 400;

/** Credentials that behave like InstanceCredentials: held until half-life, then renewed in the background. */
function fakeCredentials(clock: FakeClock, renew: () => 'ok' | 'fail' | 'refuse') {
  const listeners = new Set<RotationListener>();
  let issued = 0;
  let held: InstanceCredentialIdentity | undefined;
  const make = (): InstanceCredentialIdentity => ({
    accessKeyId: `K${++issued}`,
    secretAccessKey: 's',
    sessionToken: 't',
    expiration: new Date(clock.now() + LIFETIME_MS),
  });
  const creds: RenewableCredentials & { gets: number } = {
    gets: 0,
    get() {
      creds.gets += 1;
      const current = held;
      if (current === undefined) return Promise.reject(new Error('not started'));
      const outcome = renew();
      if (outcome === 'refuse')
        return Promise.reject(
          new InstanceCredentialsRefusedError('deregistered', 'InvalidInstanceId', 'gone'),
        );
      if (outcome === 'ok') {
        // A background renewal: the caller gets the held set; the listeners the new one, a moment later.
        clock.setTimeout(() => {
          held = make();
          for (const l of listeners) l(held);
        }, 5);
      }
      return Promise.resolve(current);
    },
    onRotated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  held = make();
  return { creds, first: held, issued: () => issued };
}

void describe('credential renewal', () => {
  void it('renews at every half-life without anyone asking', async () => {
    const clock = new FakeClock();
    const { creds, first, issued } = fakeCredentials(clock, () => 'ok');
    const renewal = new CredentialRenewal(creds, { onError: (e) => assert.fail(String(e)), clock });
    renewal.start(first);
    await clock.advance(LIFETIME_MS * 1.9);
    renewal.stop();
    assert.ok(
      issued() >= 3,
      `renewed twice in 1.9 lifetimes (at 0.5 + margin, then 0.5 after that) (issued ${issued()})`,
    );
    const after = creds.gets;
    await clock.advance(LIFETIME_MS);
    assert.equal(creds.gets, after, 'stopped');
  });

  void it('asks again while renewal fails, and gives up on a refusal', async () => {
    let outcome: 'ok' | 'fail' | 'refuse' = 'fail';
    const clock = new FakeClock();
    const { creds, first } = fakeCredentials(clock, () => outcome);
    const errors: unknown[] = [];
    const renewal = new CredentialRenewal(creds, { onError: (e) => errors.push(e), clock });
    renewal.start(first);
    await clock.advance(LIFETIME_MS / 2 + 200);
    assert.equal(creds.gets, 1, 'asked at half-life');
    outcome = 'refuse';
    await clock.advance(1_100);
    assert.equal(creds.gets, 2, 'asked again after the recheck delay');
    assert.ok(errors[0] instanceof InstanceCredentialsRefusedError);
    await clock.advance(1_100);
    assert.equal(creds.gets, 2, 'no more after a refusal');
    renewal.stop();
  });

  void it('renews credentials that expired while the control plane was unreachable, as soon as it answers again', async () => {
    const clock = new FakeClock();
    const now = () => clock.now();
    let reachable = true;
    let issued = 0;
    let calls = 0;
    const fetch: FetchLike = () => {
      calls += 1;
      if (!reachable) return Promise.reject(new TypeError('fetch failed'));
      const body = {
        AccessKeyId: `K${++issued}`,
        SecretAccessKey: 's',
        SessionToken: 't',
        TokenExpirationDate: (now() + 60_000) / 1000,
      };
      return Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));
    };
    const creds = new InstanceCredentials({
      endpoint: 'http://control-plane.test',
      identity: {
        instanceId: 'mi-0123456789abcdef0',
        region: 'us-east-1',
        privateKey: generateKeyPairSync('ed25519').privateKey,
        fingerprint: 'fp',
      },
      clock,
      fetch,
      sleep: () => Promise.resolve(),
    });
    const first = await creds.get();
    // The uplink drops, and stays down past the credentials' expiry.
    reachable = false;
    await clock.advance(61_000);
    const errors: unknown[] = [];
    const renewal = new CredentialRenewal(creds, { onError: (e) => errors.push(e), clock });
    renewal.start(first);
    await clock.advance(300);
    assert.equal(calls, 1 + MAX_ATTEMPTS, 'one renewal round, its retries spent');
    assert.ok(errors.length >= 1 && errors.every((e) => e instanceof AwsJsonCallError && e.transient));
    await clock.advance(RECHECK_MIN_MS + 200);
    assert.ok(calls >= 1 + 2 * MAX_ATTEMPTS, 'and another round, without end');

    reachable = true;
    await clock.advance(RECHECK_MIN_MS + 300);
    renewal.stop();
    const current = await creds.get();
    assert.equal(current.accessKeyId, 'K2', 'renewed from the identity key once the control plane answered');
    assert.ok(current.expiration.getTime() > now());
    creds.close();
  });
});
