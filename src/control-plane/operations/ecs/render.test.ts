import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_SERVICE_STATE, type ServiceRecord } from '../../../domain/service-record.js';
import { containerRecord, instanceRecord, taskRecord } from '../../../domain/testing/records.js';
import { serializeOutput } from '../../../ecs/aws-json.js';
import { renderInstance } from './container-instances/view.js';
import { renderService } from './services/view.js';
import { renderTask } from './tasks/view.js';

describe('renderers', () => {
  it("show a task's ECS members in the record's order, never Berth's own, and restarts as the reason", () => {
    const task = taskRecord({
      ackedDesiredStatus: 'RUNNING',
      containers: [containerRecord('web', { restartCount: 2 }), containerRecord('side', { restartCount: 0 })],
    });
    const shown = renderTask(task);
    assert.ok(!('ackedDesiredStatus' in shown));
    assert.deepEqual(
      Object.keys(shown),
      Object.keys(task).filter((k) => k !== 'ackedDesiredStatus'),
    );
    const [web, side] = shown.containers ?? [];
    assert.ok(web && side);
    assert.ok(!('restartCount' in web) && !('restartCount' in side));
    assert.equal(web.reason, 'Restarted 2 times by its restart policy');
    assert.equal(side.reason, undefined);
    assert.ok(!serializeOutput(shown).includes('restartCount'));
  });

  it("keep an instance's session times and a service's controller state out", () => {
    const instance = instanceRecord({ agentConnectedAt: new Date(1), agentDisconnectedAt: new Date(2) });
    const { agentConnectedAt: _c, agentDisconnectedAt: _d, ...ecs } = instance;
    assert.deepEqual(renderInstance(instance), ecs);
    const service: ServiceRecord = {
      serviceArn: 's',
      serviceName: 'svc',
      clusterArn: 'c',
      status: 'ACTIVE',
      desiredCount: 1,
      runningCount: 0,
      pendingCount: 0,
      taskDefinition: 'td',
      deployments: [],
      events: [],
      createdAt: new Date(1),
      schedulingStrategy: 'REPLICA',
      controller: { ...EMPTY_SERVICE_STATE, createHash: 'h' },
    };
    const { controller: _state, ...shown } = service;
    assert.deepEqual(renderService(service), shown);
  });
});
