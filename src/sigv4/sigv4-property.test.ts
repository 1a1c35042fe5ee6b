/**
 * Properties over arbitrary requests (odd paths, repeated and empty query parameters, Unicode, padded
 * header values, bodies): whatever the SDK's signer signs, in either form, verifies; and any change to the
 * method, path, query, host or body afterwards is caught.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isApiError } from '../ecs/errors.js';
import type { SecretLookup, SignedRequest } from './sigv4.js';
import { verifySigV4 } from './sigv4.js';
import type { PlainRequest, SigningSpec } from './testing/smithy-sign.js';
import { smithySign } from './testing/smithy-sign.js';

const LONG_TERM = {
  accessKeyId: 'AKIDPROPERTY00000001',
  secretAccessKey: 'property/Secret+Key/0000000000000000000',
};
const TEMPORARY = {
  accessKeyId: 'ASIAPROPERTY00000002',
  secretAccessKey: 'temporary/Secret+Key/000000000000000000',
  sessionToken: 'IQoJb3JpZ2luX2VjEProperty/token==',
};
const lookup: SecretLookup = (id) =>
  Promise.resolve(
    id === LONG_TERM.accessKeyId ? LONG_TERM : id === TEMPORARY.accessKeyId ? TEMPORARY : undefined,
  );

const text = fc.string({ unit: 'grapheme', maxLength: 8 });
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,12}$/);
const queryKey = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 6 })
  .filter((k) => !/^x-amz-/i.test(k));

const arbitraryCase = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
  segments: fc.array(fc.oneof(text, fc.constantFrom('.', '..', '')), { maxLength: 4 }),
  query: fc.dictionary(queryKey, fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 })), {
    maxKeys: 4,
  }),
  headers: fc.dictionary(fc.stringMatching(/^x-berth-[a-z0-9]{1,6}$/), headerValue, { maxKeys: 3 }),
  body: fc.string({ unit: 'grapheme', maxLength: 40 }),
  temporary: fc.boolean(),
  presignExpiresIn: fc.option(fc.integer({ min: 1, max: 604800 }), { nil: undefined }),
  signingDate: fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2099-12-31T23:59:59Z'),
    noInvalidDate: true,
  }),
  skewMs: fc.integer({ min: -300_000, max: 300_000 }),
  tamper: fc.constantFrom('method', 'path', 'query', 'host', 'body'),
});
type Case = typeof arbitraryCase extends fc.Arbitrary<infer T> ? T : never;

async function sign(c: Case): Promise<SignedRequest> {
  const plain: PlainRequest = {
    method: c.method,
    host: '127.0.0.1:4566',
    path: `/${c.segments.map(encodeURIComponent).join('/')}`,
    query: c.query,
    headers: c.headers,
    body: c.body,
  };
  const signingDate = new Date(Math.floor(c.signingDate.getTime() / 1000) * 1000);
  const spec: SigningSpec = {
    credentials: c.temporary ? TEMPORARY : LONG_TERM,
    region: 'eu-central-1',
    service: 'ecs',
    signingDate,
    ...(c.presignExpiresIn === undefined ? {} : { presignExpiresIn: c.presignExpiresIn }),
  };
  return smithySign(plain, spec);
}

function nowFor(c: Case): Date {
  const signedAt = Math.floor(c.signingDate.getTime() / 1000) * 1000;
  // A presigned request may be used at any time up to its expiry, a header-signed one within the skew.
  const offset =
    c.presignExpiresIn === undefined ? c.skewMs : Math.abs(c.skewMs) % (c.presignExpiresIn * 1000 + 1);
  return new Date(signedAt + offset);
}

function tampered(req: SignedRequest, what: Case['tamper']): SignedRequest {
  switch (what) {
    case 'method':
      return { ...req, method: req.method === 'PATCH' ? 'GET' : 'PATCH' };
    case 'path': {
      const q = req.url.indexOf('?');
      return q === -1
        ? { ...req, url: `${req.url}/zz` }
        : { ...req, url: `${req.url.slice(0, q)}/zz${req.url.slice(q)}` };
    }
    case 'query':
      return { ...req, url: `${req.url}${req.url.includes('?') ? '&' : '?'}berth-extra=1` };
    case 'host':
      return { ...req, headers: { ...req.headers, host: '127.0.0.1:4567' } };
    case 'body':
      return { ...req, body: new Uint8Array([...req.body, 0x20]) };
  }
}

describe('verifySigV4 properties', () => {
  it('verifies whatever @smithy/signature-v4 signs, in either form', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryCase, async (c) => {
        const caller = await verifySigV4(await sign(c), lookup, { now: nowFor(c), services: ['ecs'] });
        assert.equal(caller.accessKeyId, c.temporary ? TEMPORARY.accessKeyId : LONG_TERM.accessKeyId);
        assert.equal(caller.region, 'eu-central-1');
      }),
      { numRuns: 300 },
    );
  });

  it('catches any change to method, path, query, host or body after signing', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryCase, async (c) => {
        const req = tampered(await sign(c), c.tamper);
        try {
          await verifySigV4(req, lookup, { now: nowFor(c) });
        } catch (e) {
          assert.ok(isApiError(e));
          assert.equal(e.code, 'InvalidSignatureException');
          return;
        }
        assert.fail(`a ${c.tamper} change went unnoticed`);
      }),
      { numRuns: 300 },
    );
  });
});
