import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  INSTANCE_KEY_ALGORITHM,
  parseInstancePublicKey,
  signWithInstanceKey,
  verifyInstanceKeySignature,
  type OutgoingRequest,
} from './instance-key.js';
import type { SignedRequest } from './sigv4.js';
import { assertApiError } from '../ecs/testing/api-error.js';

const ID = 'mi-0123456789abcdef0';
const NOW = new Date('2024-05-01T12:00:00Z');
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const key = { instanceId: ID, privateKey, region: 'us-east-1' };

const outgoing: OutgoingRequest = {
  method: 'POST',
  url: 'http://127.0.0.1:4650/',
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AmazonSSM.RequestManagedInstanceRoleToken',
  },
  body: '{"Fingerprint":"abc"}',
};

/** What the server receives for an outgoing request: fetch adds the host header, path and query stay raw. */
async function received(
  req: OutgoingRequest = outgoing,
  patch: (headers: Record<string, string>) => void = () => {},
): Promise<SignedRequest> {
  const headers = await signWithInstanceKey(req, key, NOW);
  const url = new URL(req.url);
  const all = { ...headers, host: url.host, 'user-agent': 'unsigned/1.0' };
  patch(all);
  return { method: req.method, url: url.pathname + url.search, headers: all, body: Buffer.from(req.body) };
}

const lookup =
  (k: KeyObject | undefined = publicKey) =>
  (id: string) =>
    Promise.resolve(id === ID ? k : undefined);

void describe('instance-key signatures', () => {
  void it('verifies what signWithInstanceKey signs, query strings included', async () => {
    const verified = await verifyInstanceKeySignature(await received(), lookup(), { now: NOW });
    assert.deepEqual(verified, { instanceId: ID, region: 'us-east-1', signedAt: NOW });
    const withQuery = { ...outgoing, url: 'http://127.0.0.1:4650/some/path?b=2&a=x%20y' };
    await verifyInstanceKeySignature(await received(withQuery), lookup(), { now: NOW });
  });

  void it('writes the SigV4 header layout with its own algorithm and the instance as key id', async () => {
    const headers = await signWithInstanceKey(outgoing, key, NOW);
    assert.match(
      headers.authorization ?? '',
      new RegExp(
        `^${INSTANCE_KEY_ALGORITHM} Credential=${ID}/20240501/us-east-1/ssm/aws4_request, ` +
          'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[A-Za-z0-9+/]{86}==$',
      ),
    );
    assert.equal(headers['x-amz-date'], '20240501T120000Z');
    assert.equal(headers.host, undefined);
  });

  void it('refuses a changed body, header or key', async () => {
    const req = await received();
    await assertApiError(
      verifyInstanceKeySignature({ ...req, body: Buffer.from('{"Fingerprint":"abd"}') }, lookup(), {
        now: NOW,
      }),
      'InvalidSignatureException',
      /signature we calculated does not match/,
    );
    const retargeted = await received(outgoing, (h) => {
      h['x-amz-target'] = 'AmazonSSM.CreateActivation';
    });
    await assertApiError(
      verifyInstanceKeySignature(retargeted, lookup(), { now: NOW }),
      'InvalidSignatureException',
    );
    const other = generateKeyPairSync('ed25519').publicKey;
    await assertApiError(
      verifyInstanceKeySignature(req, lookup(other), { now: NOW }),
      'InvalidSignatureException',
    );
  });

  void it('applies SigV4 freshness, scope and structure rules', async () => {
    const req = await received();
    await assertApiError(
      verifyInstanceKeySignature(req, lookup(), { now: new Date(NOW.getTime() + 6 * 60_000) }),
      'InvalidSignatureException',
      /^Signature expired: 20240501T120000Z is now earlier than/,
    );
    await assertApiError(
      verifyInstanceKeySignature(req, lookup(), { now: NOW, regions: ['eu-west-1'] }),
      'InvalidSignatureException',
      /valid region/,
    );
    const unsigned = { ...req, headers: { ...req.headers, authorization: undefined } };
    await assertApiError(
      verifyInstanceKeySignature(unsigned, lookup(), { now: NOW }),
      'MissingAuthenticationTokenException',
    );
    const sigv4 = await received(outgoing, (h) => {
      h.authorization = (h.authorization ?? '').replace(INSTANCE_KEY_ALGORITHM, 'AWS4-HMAC-SHA256');
    });
    await assertApiError(
      verifyInstanceKeySignature(sigv4, lookup(), { now: NOW }),
      'IncompleteSignatureException',
      /must be signed with the managed instance's key/,
    );
    const noDate = await received(outgoing, (h) => {
      delete h['x-amz-date'];
    });
    await assertApiError(
      verifyInstanceKeySignature(noDate, lookup(), { now: NOW }),
      'IncompleteSignatureException',
      /X-Amz-Date/,
    );
  });

  void it('does not know instances it has no key for', async () => {
    const req = await received();
    await assertApiError(
      verifyInstanceKeySignature(req, () => Promise.resolve(undefined), { now: NOW }),
      'UnrecognizedClientException',
    );
    const notAnInstance = await received(outgoing, (h) => {
      h.authorization = (h.authorization ?? '').replace(ID, 'AKIAEXAMPLE');
    });
    await assertApiError(
      verifyInstanceKeySignature(notAnInstance, lookup(), { now: NOW }),
      'UnrecognizedClientException',
    );
  });

  void it('parses only Ed25519 public keys', () => {
    const der = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    assert.equal(parseInstancePublicKey(der)?.asymmetricKeyType, 'ed25519');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    assert.equal(
      parseInstancePublicKey(rsa.export({ format: 'der', type: 'spki' }).toString('base64')),
      undefined,
    );
    assert.equal(parseInstancePublicKey('not a key'), undefined);
  });
});
