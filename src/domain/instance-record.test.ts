import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  agentConnectivity,
  disconnectedReason,
  withAgentConnected,
  type InstanceRecord,
} from './instance-record.js';

const REGISTERED = new Date('2026-11-21T09:00:00.000Z');
const T1 = new Date('2026-11-21T10:00:00.000Z');
const T2 = new Date('2026-11-21T11:30:00.000Z');

function instance(extra: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/1',
    status: 'ACTIVE',
    agentConnected: false,
    registeredAt: REGISTERED,
    version: 1,
    registeredResources: [],
    attributes: [],
    ...extra,
  };
}

describe('container instance connectivity', () => {
  it('records when the agent connected and disconnected, bumping the version on each change', () => {
    const connected = withAgentConnected(instance(), true, T1);
    assert.ok(connected);
    assert.equal(connected.agentConnected, true);
    assert.equal(connected.version, 2);
    assert.deepEqual(agentConnectivity(connected), { connected: true, since: T1 });
    const disconnected = withAgentConnected(connected, false, T2);
    assert.ok(disconnected);
    assert.equal(disconnected.version, 3);
    assert.deepEqual(agentConnectivity(disconnected), { connected: false, since: T2 });
    assert.equal(disconnectedReason(disconnected), 'Agent disconnected since 2026-11-21T11:30:00.000Z');
  });

  it('changes nothing when the flag already has the value, keeping the time its state began', () => {
    const connected = withAgentConnected(instance(), true, T1);
    assert.ok(connected);
    assert.equal(withAgentConnected(connected, true, T2), undefined);
    assert.equal(withAgentConnected(instance(), false, T2), undefined);
  });

  it('counts a never-connected instance as disconnected since it registered, and says so', () => {
    assert.deepEqual(agentConnectivity(instance()), { connected: false, since: REGISTERED });
    assert.equal(
      disconnectedReason(instance()),
      'Agent not connected since registration at 2026-11-21T09:00:00.000Z',
    );
  });

  it('gives no reason while connected or once deregistered; a deregistered instance is never connected', () => {
    const connected = withAgentConnected(instance(), true, T1);
    assert.ok(connected);
    assert.equal(disconnectedReason(connected), undefined);
    assert.equal(disconnectedReason({ ...instance(), status: 'INACTIVE' }), undefined);
    assert.equal(agentConnectivity({ ...connected, status: 'INACTIVE' }).connected, false);
  });

  it('keeps its times as members of its own, next to what ECS shows', () => {
    const connected = withAgentConnected(instance(), true, T1);
    assert.ok(connected);
    const disconnected = withAgentConnected(connected, false, T2);
    assert.ok(disconnected);
    assert.deepEqual(disconnected, {
      ...instance(),
      version: 3,
      agentConnectedAt: T1,
      agentDisconnectedAt: T2,
    });
  });
});
