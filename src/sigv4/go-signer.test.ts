/**
 * The stock ECS agent signs its ACS and TCS handshakes with aws-sdk-go-v2's v4 signer, which canonicalises the
 * query as Go's `url.Values.Encode()` with `+` replaced by `%20`, and then dials the URL as Encode wrote it, with
 * `+` for every space. The signer (`testing/go-signer.ts`) is written from the SigV4 specification in Go's
 * order, independently of the verifier, so the two sides can only agree if the verifier reads `+` as Go does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SecretLookup, SignedRequest } from './sigv4.js';
import { verifySigV4 } from './sigv4.js';
import { assertApiError } from '../ecs/testing/api-error.js';
import { goSignedGet } from './testing/go-signer.js';

const KEY = {
  accessKeyId: 'ASIAGOAGENT000000001',
  secretAccessKey: 'go/secret+key=000000000000000000000000',
};
const TOKEN = 'IQoJb3JpZ2luX2VjEGo/session+token==';
const lookup: SecretLookup = (id) =>
  Promise.resolve(
    id === KEY.accessKeyId ? { secretAccessKey: KEY.secretAccessKey, sessionToken: TOKEN } : undefined,
  );
const NOW = new Date('2026-11-30T10:20:30Z');

/** A GET signed as aws-sdk-go-v2's v4 signer signs the agent's websocket handshake (service `ecs`). */
function goSignHandshake(host: string, path: string, query: Record<string, string>): SignedRequest {
  return goSignedGet({ credentials: { ...KEY, sessionToken: TOKEN }, host, path, query, date: NOW });
}

/** The stock agent's ACS handshake query, member for member (agent 1.105.1, cluster named by name). */
const ACS_QUERY = {
  agentHash: 'a8b3e7d3',
  agentVersion: '1.105.1',
  clusterArn: 'default',
  containerInstanceArn:
    'arn:aws:ecs:us-east-1:000000000000:container-instance/default/0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  dockerVersion: 'DockerVersion: 20.10.24+dfsg1',
  protocolVersion: '2',
  sendCredentials: 'true',
  seqNum: '1',
};

describe('SigV4 of the stock agent handshake (Go signer, form-encoded query)', () => {
  it('accepts the ACS handshake URL with `+` for spaces, as the agent dials it', async () => {
    const req = goSignHandshake('127.0.0.1:4650', '/ws', ACS_QUERY);
    assert.match(req.url, /dockerVersion=DockerVersion%3A\+20\.10\.24%2Bdfsg1&/);
    const verified = await verifySigV4(req, lookup, { now: NOW });
    assert.equal(verified.accessKeyId, KEY.accessKeyId);
  });

  it('accepts the TCS handshake (cluster, containerInstance, bare docker version)', async () => {
    const req = goSignHandshake('127.0.0.1:4650', '/tcs/ws', {
      agentHash: 'a8b3e7d3',
      agentVersion: '1.105.1',
      cluster: 'default',
      containerInstance: ACS_QUERY.containerInstanceArn,
      dockerVersion: '20.10.24',
    });
    await verifySigV4(req, lookup, { now: NOW });
  });

  it('still tells a literal plus (`%2B`) from a space: changing one into the other breaks the signature', async () => {
    const req = goSignHandshake('127.0.0.1:4650', '/ws', ACS_QUERY);
    const tampered = { ...req, url: req.url.replace('%2Bdfsg1', '+dfsg1') };
    await assertApiError(
      verifySigV4(tampered, lookup, { now: NOW }),
      'InvalidSignatureException',
      /^The request signature we calculated does not match/,
    );
  });
});
