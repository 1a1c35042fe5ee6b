/**
 * `berth credentials` as a host runs it for the stock ECS agent: a real child process against a real control
 * plane with a 3 s credential lifetime. What the stock agent depends on is checked from the outside: the file
 * it reads (`[default]` profile, mode 0600, always whole), keys that change before they expire and that the
 * control plane accepts, a control plane restart in between, and a second start that needs no activation.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { DiscoverPollEndpointCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { loadSharedConfigFiles } from '@smithy/core/config';
import { failure } from '../../src/ecs/testing/api-error.js';
import { AgentProcess, type Exit } from '../rigs/agent-process.js';
import { freePort, startTestServer, type TestServer } from '../rigs/harness.js';
import { rawAwsCall } from '../rigs/raw-call.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const LIFETIME_MS = 3_000;
/** What `berth credentials` must write, byte for byte: the layout the SSM agent writes. */
const FILE_FORMAT =
  /^\[default\]\naws_access_key_id = (\S+)\naws_secret_access_key = (\S+)\naws_session_token = (\S+)\n$/;

interface Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** The file's keys, or undefined while it does not exist; anything but the whole format fails the test. */
async function readKeys(file: string): Promise<Keys | undefined> {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const m = FILE_FORMAT.exec(text);
  assert.ok(m, `${file} is a whole shared-credentials file:\n${text}`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const keys = { accessKeyId: m[1]!, secretAccessKey: m[2]!, sessionToken: m[3]! };
  // The AWS SDK's own loader reads the same profile.
  const parsed = await loadSharedConfigFiles({
    filepath: file,
    configFilepath: join(file, 'no-config'),
    ignoreCache: true,
  });
  assert.deepEqual(parsed.credentialsFile.default, {
    aws_access_key_id: keys.accessKeyId,
    aws_secret_access_key: keys.secretAccessKey,
    aws_session_token: keys.sessionToken,
  });
  return keys;
}

function credentials(args: readonly string[], env: Record<string, string> = {}): AgentProcess {
  return new AgentProcess(args, env, { command: 'credentials' });
}

/** An SSM operation with the administrator's keys; its answer, or a failed assertion. */
async function ssm<T>(t: TestServer, operation: string, body: unknown): Promise<T> {
  const r = await rawAwsCall(t, `AmazonSSM.${operation}`, body, { service: 'ssm' });
  assert.equal(r.status, 200, `${operation}: ${r.text}`);
  return JSON.parse(r.text) as T;
}

async function exitOf(p: AgentProcess, timeoutMs = 15_000): Promise<Exit> {
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const exit = await p.exited;
  clearTimeout(timer);
  return exit;
}

void describe('berth credentials', () => {
  let root: string;
  let planeDir: string;
  let port: number;
  let t: TestServer | undefined;
  let activation: { id: string; code: string };
  const processes: AgentProcess[] = [];

  const plane = (): TestServer => {
    assert.ok(t, 'the control plane is running');
    return t;
  };
  const startPlane = async () => {
    t = await startTestServer({
      dataDir: planeDir,
      listen: `127.0.0.1:${port}`,
      credentialLifetime: `${LIFETIME_MS / 1000}s`,
    });
  };
  /** Signs an instance-credential operation with `keys`; the control plane must accept it. */
  const accepted = async (keys: Keys): Promise<void> => {
    const ecs = new ECSClient({
      endpoint: plane().url,
      region: plane().region,
      credentials: { ...keys },
      maxAttempts: 1,
    });
    try {
      const out = await ecs.send(new DiscoverPollEndpointCommand({}));
      assert.ok(out.endpoint, 'DiscoverPollEndpoint answered');
      // Instance credentials, not an administrator's.
      await failure(ecs.send(new ListClustersCommand({})), 'AccessDeniedException');
    } finally {
      ecs.destroy();
    }
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'berth-credentials-'));
    planeDir = join(root, 'plane');
    port = await freePort();
    await startPlane();
    // A limit of one: a second registration of the same host would be refused.
    const a = await ssm<{ ActivationId: string; ActivationCode: string }>(plane(), 'CreateActivation', {
      IamRole: 'ecsAnywhereRole',
      RegistrationLimit: 1,
    });
    activation = { id: a.ActivationId, code: a.ActivationCode };
  });

  after(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await t?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  void it('refuses bad options and a first start without an activation, exiting 2 with the fix', async () => {
    const dataDir = join(root, 'refused');
    const file = join(root, 'refused-creds', 'credentials');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [
        ['--endpoint', 'ftp://berth.example', '--data-dir', dataDir, '--write', file],
        {},
        /--endpoint "ftp:\/\/berth\.example" must be the http:\/\/ or https:\/\/ URL/,
      ],
      [['--data-dir', dataDir, '--write', file], {}, /--endpoint is required/],
      [
        ['--endpoint', plane().url, '--data-dir', dataDir],
        { BERTH_CREDENTIALS_FILE: `${root}/` },
        /BERTH_CREDENTIALS_FILE ".*\/" must name a file, like \/rotatingcreds\/credentials/,
      ],
      [
        ['--endpoint', plane().url, '--data-dir', dataDir, '--write', file, '--activation-id', 'nope'],
        {},
        /--activation-id "nope" is not an activation id/,
      ],
      [
        ['--endpoint', plane().url, '--data-dir', dataDir, '--write', file],
        {},
        /not registered yet .*--activation-id and --activation-code/,
      ],
    ];
    for (const [args, env, message] of cases) {
      const p = credentials(args, env);
      processes.push(p);
      const exit = await exitOf(p);
      assert.equal(exit.code, 2, `${args.join(' ')}: ${p.stderr}`);
      assert.match(p.stderr, message);
      assert.equal(existsSync(file), false, 'no credentials file');
    }
  });

  const dataDir = () => join(root, 'host');
  const file = () => join(root, 'rotatingcreds', 'credentials');
  let instanceId: string;

  void it(
    'registers, keeps the file fresh across lifetimes and a control plane restart, and stops on SIGTERM',
    { timeout: 120_000 },
    async () => {
      const p = credentials([
        '--endpoint',
        plane().url,
        '--activation-id',
        activation.id,
        '--activation-code',
        activation.code,
        '--data-dir',
        dataDir(),
        '--write',
        file(),
      ]);
      processes.push(p);
      const log = () => `stderr: ${p.stderr}\nlog: ${p.logs.map((l) => JSON.stringify(l)).join('\n')}`;
      const registered = await p.waitForLog('registration', (l) => l.msg === 'host registered');
      instanceId = String(registered.instanceId);
      assert.match(instanceId, /^mi-[0-9a-f]{17}$/);
      assert.equal(JSON.stringify(p.logs).includes(activation.code), false, 'the code is never logged');

      /** Waits for keys other than all of `seen`, checks the control plane takes them, and adds them. */
      const seen: Keys[] = [];
      const nextKeys = async (): Promise<Keys> => {
        const keys = await waitFor(
          `credentials version ${seen.length + 1} in ${file()}`,
          async () => {
            assert.ok(p.running, `berth credentials is running; ${log()}`);
            const k = await readKeys(file());
            return k !== undefined && !seen.some((s) => s.accessKeyId === k.accessKeyId) && k;
          },
          30_000,
          { intervalMs: 100, detail: log },
        );
        await accepted(keys);
        seen.push(keys);
        return keys;
      };

      const started = Date.now();
      await nextKeys();
      while (Date.now() - started < 3 * LIFETIME_MS) await nextKeys();
      assert.ok(seen.length >= 4, `renewed at half-life: ${seen.length} versions in three lifetimes`);
      // The first keys have expired by now: without the rewrites, the stock agent would be locked out.
      const expired = new ECSClient({
        endpoint: plane().url,
        region: plane().region,
        credentials: { ...seen[0]! },
        maxAttempts: 1,
      });
      await failure(expired.send(new DiscoverPollEndpointCommand({})), 'ExpiredTokenException');
      expired.destroy();

      // The control plane goes away for longer than a lifetime: the file keeps the last keys, whole.
      await plane().stop();
      t = undefined;
      const last = seen.at(-1)!;
      await sleep(LIFETIME_MS + 500); // the outage itself, not a wait for anything
      assert.equal(p.running, true, log());
      assert.deepEqual(await readKeys(file()), last);

      await startPlane();
      const renewedAfterRestart = seen.length;
      await nextKeys();
      await nextKeys();
      assert.equal(seen.length, renewedAfterRestart + 2);

      p.child.kill('SIGTERM');
      const exit = await exitOf(p);
      assert.deepEqual(exit, { code: 0, signal: null }, log());
      assert.ok(p.logs.some((l) => l.msg === 'berth credentials stopped'));
    },
  );

  void it(
    'starts again without the activation, as the same managed instance',
    { timeout: 60_000 },
    async () => {
      assert.ok(instanceId, 'the first start registered the host');
      const before = await readKeys(file());
      const p = credentials(['--endpoint', plane().url, '--data-dir', dataDir(), '--write', file()]);
      processes.push(p);
      const loaded = await p.waitForLog('the identity', (l) => l.msg === 'host identity loaded');
      assert.equal(loaded.instanceId, instanceId);
      const keys = await waitFor(
        'new keys from the second start',
        async () => {
          const k = await readKeys(file());
          return k !== undefined && k.accessKeyId !== before?.accessKeyId && k;
        },
        30_000,
        { intervalMs: 100, detail: () => p.stderr },
      );
      await accepted(keys);
      const info = await ssm<{ InstanceInformationList: { InstanceId: string }[] }>(
        plane(),
        'DescribeInstanceInformation',
        {},
      );
      assert.deepEqual(
        info.InstanceInformationList.map((i) => i.InstanceId),
        [instanceId],
      );
      p.child.kill('SIGTERM');
      assert.equal((await exitOf(p)).code, 0);
    },
  );
});
