/**
 * The agent restarted while its control plane is out of reach: a host that registered before resumes its
 * tasks from its saved state at once, queues what happens, and catches up once the control plane answers
 * (registration, session, reports in order, task manifest and stop verification). A stand-in control plane
 * (`testing/control-plane.ts`) plays the uplink; the task engine is a fake (the Docker engine's part is in
 * `tasks/offline-runtime.test.ts`).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { Agent, type AgentState } from './agent.js';
import { resolveAgentConfig } from './config.js';
import { computeFingerprint } from './identity/fingerprint.js';
import { IDENTITY_FILE } from './identity/identity.js';
import { writeAgentState } from './state.js';
import type { TaskState } from './tasks/contracts.js';
import { FileTaskStateStore } from './tasks/state-store.js';
import { stateChange } from './engine/task-status.js';
import type { TaskEngineDeps } from './tasks/task-runtime.js';
import { acsTask, FakeTaskEngine } from './testing/fake-task-engine.js';
import { FakeControlPlane } from './testing/control-plane.js';
import { waitFor } from '../util/testing/wait-for.js';

const INSTANCE =
  'arn:aws:ecs:us-east-1:000000000000:container-instance/edge/0123456789abcdef0123456789abcdef';
const MI = 'mi-0123456789abcdef0';

/** A data directory as a host that registered before leaves it: identity, registration, one running task. */
async function registeredHost(dataDir: string, task: TaskState): Promise<void> {
  const privateKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' });
  writeFileSync(
    join(dataDir, IDENTITY_FILE),
    JSON.stringify({
      format: 1,
      privateKey: String(privateKey),
      fingerprint: computeFingerprint(dataDir),
      activationId: '11111111-2222-3333-4444-555555555555',
      instanceId: MI,
      region: 'us-east-1',
    }),
    { mode: 0o600 },
  );
  writeAgentState(dataDir, { cluster: 'edge', containerInstanceArn: INSTANCE, ec2InstanceId: MI });
  await new FileTaskStateStore(dataDir).save(task);
}

function agentFor(
  dataDir: string,
  endpoint: string,
  taskEngine: (deps: TaskEngineDeps) => FakeTaskEngine,
): Agent {
  const config = resolveAgentConfig(
    {
      endpoint,
      cluster: 'edge',
      dataDir,
      introspectionListen: 'off',
      metadataListen: 'off',
      dockerHost: 'unix:///nonexistent/docker.sock',
    },
    {},
    { defaultConfigFile: join(dataDir, 'no-config.json') },
  );
  return new Agent(config, {
    log: pino({ level: process.env.BERTH_TEST_LOG ?? 'silent' }),
    backoff: { minMs: 50, maxMs: 300 },
    taskEngine,
  });
}

describe('the agent restarted while the control plane is unreachable', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-agent-offline-'));
  const plane = new FakeControlPlane();
  after(async () => {
    await plane.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops promptly while it is still trying to reach the control plane', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-agent-offline-stop-'));
    try {
      await registeredHost(dir, { task: acsTask('x'), knownStatus: 'RUNNING', containers: [] });
      let started = false;
      const agent = agentFor(dir, 'http://127.0.0.1:1', (deps) => {
        started = true;
        return new FakeTaskEngine(deps.restored);
      });
      agent.start();
      await waitFor('the task runtime', () => started);
      await new Promise((r) => setTimeout(r, 1_000));
      const stopping = Date.now();
      assert.deepEqual(await agent.stop(), { code: 0 });
      assert.ok(Date.now() - stopping < 5_000, `stopped in ${Date.now() - stopping} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs its saved tasks at once, and catches up in order when the control plane answers', async () => {
    const task = acsTask('resumed');
    const saved: TaskState = {
      task,
      knownStatus: 'RUNNING',
      containers: [{ name: 'web', knownStatus: 'RUNNING', runtimeId: 'c1', restartCount: 1 }],
    };
    await registeredHost(dataDir, saved);
    // Learn a free port, then leave it closed: the control plane is down when the agent starts.
    await plane.start(0);
    await plane.stop();

    let engineDeps: TaskEngineDeps | undefined;
    let engine: FakeTaskEngine | undefined;
    let stateAtEngineStart: AgentState | undefined;
    const agent: Agent = agentFor(dataDir, plane.url, (deps) => {
      engineDeps = deps;
      stateAtEngineStart = agent.state;
      engine = new FakeTaskEngine(deps.restored);
      // As the Docker engine does on resume: each saved task is reported once; then its container is
      // restarted by its restart policy while the control plane is still away.
      for (const s of deps.restored) deps.reporter.report(stateChange(s, Date.now()));
      const restarted: TaskState = {
        ...saved,
        containers: [{ name: 'web', knownStatus: 'RUNNING', runtimeId: 'c1', restartCount: 2 }],
      };
      deps.reporter.report(stateChange(restarted, Date.now()));
      return engine;
    });
    agent.start();
    try {
      await waitFor('the task runtime', () => engineDeps);
      assert.equal(stateAtEngineStart, 'REGISTERING', 'tasks run before the control plane answers');
      assert.equal(engineDeps?.containerInstanceArn, INSTANCE);
      assert.deepEqual(
        engineDeps?.restored.map((s) => s.task.arn),
        [task.arn],
      );
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(agent.state, 'REGISTERING', 'still trying to register');

      await plane.start();
      await waitFor('the agent to connect', () => agent.state === 'RUNNING' && plane.connected);
      const changes = await waitFor('both reports', () =>
        plane.stateChanges.length >= 2 ? plane.stateChanges : undefined,
      );
      const berth = changes.map((c) => c.berth as { seq: number; containers?: { restartCount?: number }[] });
      assert.deepEqual(
        berth.map((b) => [b.seq, b.containers?.[0]?.restartCount]),
        [
          [1, 1],
          [2, 2],
        ],
      );
      const registration = plane.calls.find((c) => c.target.endsWith('.RegisterContainerInstance'));
      assert.equal(registration?.body.containerInstanceArn, INSTANCE, 're-registered as the same instance');

      // The session settles differences: a manifest that does not list the task brings a question, and the
      // answer stops it.
      plane.send({
        type: 'TaskManifestMessage',
        message: {
          messageId: 'manifest-1',
          clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/edge',
          containerInstanceArn: INSTANCE,
          tasks: [],
          generatedAt: Date.now(),
          timeline: Date.now(),
        },
      });
      const question = await waitFor('stop verification', () =>
        plane.received.find((e) => e.type === 'TaskStopVerificationMessage'),
      );
      assert.ok(question.type === 'TaskStopVerificationMessage');
      assert.deepEqual(
        question.message.stopCandidates.map((c) => c.taskArn),
        [task.arn],
      );
      assert.ok(
        plane.received.some((e) => e.type === 'AckRequest' && e.message.messageId === 'manifest-1'),
        'the manifest is acknowledged',
      );
      plane.send({
        type: 'TaskStopVerificationAck',
        message: {
          messageId: 'manifest-1',
          generatedAt: Date.now(),
          stopTasks: question.message.stopCandidates,
        },
      });
      const stopped = await waitFor('the stop', () =>
        engine?.accepted.find((t) => t.arn === task.arn && t.desiredStatus === 'STOPPED'),
      );
      assert.equal(stopped.arn, task.arn);
    } finally {
      await agent.stop();
    }
  });
});
