import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeAgentEnvelope,
  decodeHandshakeError,
  decodeServerEnvelope,
  encodeEnvelope,
  encodeHandshakeError,
  parseSessionQuery,
  sessionQueryString,
} from './codec.js';
import { ACS_PROTOCOL_VERSION, type SessionQuery } from './messages.js';

const QUERY: SessionQuery = {
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
  containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/0123abcd',
  agentVersion: '0.1.0',
  agentHash: 'abc+123',
  dockerVersion: '24.0.7',
  seqNum: 1,
  protocolVersion: ACS_PROTOCOL_VERSION,
  sendCredentials: true,
};

describe('session query', () => {
  it('round-trips through the URL', () => {
    const parsed = parseSessionQuery(new URLSearchParams(sessionQueryString(QUERY)));
    assert.deepEqual(parsed, QUERY);
  });

  it('encodes the RFC 3986 way, so the signed and the sent query agree', () => {
    const text = sessionQueryString(QUERY);
    assert.ok(!text.includes('+'), text);
    assert.match(text, /dockerVersion=DockerVersion%3A%2024\.0\.7/);
    assert.match(text, /agentHash=abc%2B123/);
  });

  it('leaves out what is absent or malformed', () => {
    const parsed = parseSessionQuery(new URLSearchParams('clusterArn=edge&seqNum=x'));
    assert.deepEqual(parsed, { clusterArn: 'edge' });
  });
});

describe('envelopes', () => {
  it('decode what was encoded, in both directions', () => {
    const heartbeat = { type: 'HeartbeatMessage', message: { healthy: true, messageId: 'm1' } } as const;
    assert.deepEqual(decodeServerEnvelope(encodeEnvelope(heartbeat)), { ok: true, envelope: heartbeat });
    const ack = { type: 'HeartbeatAckRequest', message: { messageId: 'm1' } } as const;
    assert.deepEqual(decodeAgentEnvelope(encodeEnvelope(ack)), { ok: true, envelope: ack });
  });

  it('report, not throw, on frames they cannot use', () => {
    for (const [text, error] of [
      ['not json', 'frame is not JSON'],
      ['[1]', 'unknown message type undefined'],
      [
        '{"type":"AttachTaskNetworkInterfacesMessage","message":{}}',
        'unknown message type "AttachTaskNetworkInterfacesMessage"',
      ],
      ['{"type":"TaskManifestMessage","message":{"tasks":[]}}', 'TaskManifestMessage lacks messageId'],
      ['{"type":"PayloadMessage","message":{"tasks":[]}}', 'PayloadMessage lacks messageId'],
      ['{"type":"HeartbeatMessage"}', 'HeartbeatMessage has no message'],
      ['{"type":"HeartbeatMessage","message":{"healthy":true}}', 'HeartbeatMessage lacks messageId'],
    ] as const) {
      assert.deepEqual(decodeServerEnvelope(text), { ok: false, error });
    }
    // A server-to-agent type is not an agent message.
    assert.equal(decodeAgentEnvelope('{"type":"HeartbeatMessage","message":{"messageId":"x"}}').ok, false);
  });
});

describe('handshake errors', () => {
  it('round-trip a typed error, in the form ACS sends and the ECS agent decodes: {"<type>":"<message>"}', () => {
    const body = encodeHandshakeError('InactiveInstanceException', 'gone');
    assert.deepEqual(JSON.parse(body), { InactiveInstanceException: 'gone' });
    assert.deepEqual(decodeHandshakeError(body), { type: 'InactiveInstanceException', message: 'gone' });
  });

  it('still read the {"type","message"} body of control planes before the ACS form', () => {
    assert.deepEqual(decodeHandshakeError('{"type":"AccessDeniedException","message":"expired"}'), {
      type: 'AccessDeniedException',
      message: 'expired',
    });
  });

  it('are undefined for bodies that are not typed ACS errors', () => {
    for (const body of [
      '',
      '<html>502</html>',
      '{"message":"Not Found"}',
      '{"type":"Nope","message":"x"}',
      '{"Nope":"x"}',
      '["InactiveInstanceException"]',
    ]) {
      assert.equal(decodeHandshakeError(body), undefined, body);
    }
  });
});
