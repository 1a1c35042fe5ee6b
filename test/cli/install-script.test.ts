/**
 * The agent install script on this machine (Debian 12, root, no systemd), as a user runs it: downloaded from a
 * real control plane's /install.sh, installing the package that control plane serves into temporary
 * directories, and the agent it installed registering the host. systemd itself is absent here, so the service
 * path runs against a stand-in `systemctl` (BERTH_INSTALL_SYSTEMD_ROOT) that starts the unit's ExecStart line
 * for real. The failure paths check that each refusal says what to do and leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DiscoverPollEndpointCommand,
  ECSClient,
  ListContainerInstancesCommand,
  type ContainerInstance,
} from '@aws-sdk/client-ecs';
import { renderInstallScript } from '../../src/control-plane/http/install-script.js';
import { startTestServer, type TestServer, freePort } from '../rigs/harness.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(REPO, 'scripts', 'install-agent.sh');
const CLUSTER = 'edge';
/** A first install fetches the package's dependencies from the registry; later ones come from npm's cache. */
const INSTALL_TIMEOUT_MS = 300_000;

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runScript(
  script: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = INSTALL_TIMEOUT_MS,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Stops a process the stand-in systemctl started (not our child, so no exit event): SIGTERM, then wait. */
async function stopPid(pid: number): Promise<void> {
  // A zombie (exited, not yet reaped by whoever adopted it) counts as gone.
  const alive = () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  await waitFor(`process ${pid} to exit`, () => !alive(), 10_000, { intervalMs: 50 }).catch(() =>
    process.kill(pid, 'SIGKILL'),
  );
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A `systemctl` that records its calls and, for `start`/`restart`, runs the unit's ExecStart in the background. */
const FAKE_SYSTEMCTL = `#!/usr/bin/env bash
set -euo pipefail
echo "$*" >>"$FAKE_SYSTEMD_LOG"
case $1 in
  start | restart)
    if [ "\${FAKE_SYSTEMD_NO_AGENT:-}" = 1 ]; then exit 0; fi
    unit="$BERTH_INSTALL_SYSTEMD_ROOT/etc/systemd/system/$2"
    exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
    path=$(sed -n 's/^Environment=PATH=//p' "$unit")
    env_file=$(sed -n 's/^EnvironmentFile=//p' "$unit")
    if [ -n "$env_file" ]; then
      set -a
      # shellcheck source=/dev/null
      . "$env_file"
      set +a
    fi
    # shellcheck disable=SC2086
    PATH=$path nohup $exec_start >"$FAKE_SYSTEMD_AGENT_LOG" 2>&1 &
    echo $! >"$FAKE_SYSTEMD_AGENT_PID"
    ;;
esac
`;

void describe('agent install script', () => {
  let t: TestServer;
  let root: string;
  let served: string;
  let activation: { id: string; code: string };
  const agents: ChildProcess[] = [];
  const agentPids: number[] = [];
  // One installation, shared by the tests that follow the first install.
  let prefix: string;
  let configDir: string;
  let dataDir: string;
  let arn: string;

  const listInstances = async (): Promise<ContainerInstance[]> => {
    const { containerInstanceArns = [] } = await t.ecs.send(
      new ListContainerInstancesCommand({ cluster: CLUSTER }),
    );
    if (containerInstanceArns.length === 0) return [];
    const out = await t.ecs.send(
      new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: containerInstanceArns }),
    );
    return out.containerInstances ?? [];
  };

  before(async () => {
    // The package is packed from this checkout's dist/, as a control plane installed from it would.
    assert.ok(
      existsSync(join(REPO, 'dist', 'cli', 'agent-command.js')),
      'dist/ has no `berth agent`: run `npm run build` first (scripts/test.sh does)',
    );
    t = await startTestServer({ heartbeatInterval: '1s' });
    root = mkdtempSync(join(tmpdir(), 'berth-install-'));
    prefix = join(root, 'opt', 'berth');
    configDir = join(root, 'etc', 'berth');
    dataDir = join(root, 'var', 'lib', 'berth-agent');
    await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const a = await t.awsJson<{ ActivationId: string; ActivationCode: string }>([
      'ssm',
      'create-activation',
      '--iam-role',
      'ecsAnywhereRole',
      '--registration-limit',
      '5',
    ]);
    activation = { id: a.ActivationId, code: a.ActivationCode };
    const res = await fetch(`${t.url}/install.sh`);
    assert.equal(res.status, 200);
    served = join(root, 'install.sh');
    writeFileSync(served, await res.text());
  });

  after(async () => {
    for (const child of agents) child.kill('SIGKILL');
    for (const pid of agentPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await Promise.all(agents.map(exited));
    await t.stop();
    rmSync(root, { recursive: true, force: true });
  });

  void it('is served at /install.sh with the endpoint filled in, the same as `berth install-script` prints', async () => {
    const res = await fetch(`${t.url}/install.sh`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/x-shellscript/);
    const text = await res.text();
    const original = readFileSync(SCRIPT, 'utf8');
    assert.match(text, new RegExp(`^default_endpoint='${t.url}'$`, 'm'));
    assert.match(original, /^default_endpoint=''$/m);
    // Only that line differs.
    assert.deepEqual(
      text.split('\n').filter((line) => !original.split('\n').includes(line)),
      [`default_endpoint='${t.url}'`],
    );

    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'install-script', ...args], {
        cwd: REPO,
        encoding: 'utf8',
      });
    assert.equal(cli(['--endpoint', `${t.url}/`]).stdout, text);
    assert.equal(cli([]).stdout, original);
    const bad = cli(['--endpoint', 'berth.example.com:4650']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--endpoint 'berth\.example\.com:4650' is not an http:\/\/ or https:\/\/ URL/);
    assert.equal(
      renderInstallScript("http://it's.example/", original).includes(`'http://it'\\''s.example'`),
      true,
    );
  });

  void it('is valid bash', () => {
    for (const file of [SCRIPT, served]) {
      const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  });

  const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
  void it(
    'passes shellcheck',
    { skip: shellcheck ? false : 'shellcheck is not installed (scripts/setup.sh installs it from Debian)' },
    () => {
      const r = spawnSync('shellcheck', [SCRIPT], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    },
  );

  void it('serves the agent package with only what runs: bin, dist, the install script, the README', async () => {
    const res = await fetch(`${t.url}/agent/berth.tgz`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('content-type'), 'application/gzip');
    const file = join(root, 'berth.tgz');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const listing = spawnSync('tar', ['-tzf', file], { encoding: 'utf8' });
    assert.equal(listing.status, 0, listing.stderr);
    const entries = listing.stdout.trim().split('\n');
    for (const must of ['package/package.json', 'package/bin/berth.js', 'package/dist/cli/main.js']) {
      assert.ok(entries.includes(must), `${must} is in the package`);
    }
    assert.ok(entries.includes('package/scripts/install-agent.sh'));
    const outside = entries.filter(
      (e) =>
        !/^package\/(bin|dist)\//.test(e) &&
        ![
          'package/package.json',
          'package/README.md',
          'package/LICENSE',
          'package/scripts/install-agent.sh',
        ].includes(e),
    );
    assert.deepEqual(outside, []);
  });

  void it(
    'installs the agent without systemd and prints the command that runs it; that command registers the host',
    { timeout: INSTALL_TIMEOUT_MS + 60_000 },
    async () => {
      const introspection = `127.0.0.1:${await freePort()}`;
      const r = await runScript(served, [
        '--activation-id',
        activation.id,
        '--activation-code',
        activation.code,
        '--cluster',
        CLUSTER,
        '--docker-install-source',
        'none',
        '--prefix',
        prefix,
        '--config-dir',
        configDir,
        '--data-dir',
        dataDir,
        '--introspection-listen',
        introspection,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /systemd is not running on this host \(no \/run\/systemd\/system\)/);
      assert.match(r.stderr, /agent was not started/);
      const command = `${prefix}/bin/berth agent --config ${configDir}/agent.json`;
      assert.equal(r.stdout.trim(), command);
      assert.ok(existsSync(join(prefix, 'bin', 'berth')));
      assert.ok(existsSync(join(prefix, 'lib', 'node_modules', 'berth', 'dist', 'cli', 'main.js')));
      const configFile = join(configDir, 'agent.json');
      assert.equal(statSync(configFile).mode & 0o777, 0o600);
      assert.deepEqual(JSON.parse(readFileSync(configFile, 'utf8')), {
        endpoint: t.url,
        cluster: CLUSTER,
        dataDir,
        activationId: activation.id,
        activationCode: activation.code,
        introspectionListen: introspection,
      });

      // What the user does next: run the printed command.
      const [program, ...args] = command.split(' ');
      const agent = spawn(program!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      agents.push(agent);
      let agentLog = '';
      agent.stderr?.setEncoding('utf8').on('data', (c: string) => (agentLog += c));
      try {
        const instance = await waitFor(
          'the installed agent to register and connect',
          async () => (await listInstances()).find((i) => i.agentConnected === true),
          60_000,
          {
            failIf: () =>
              agent.exitCode === null ? undefined : `the agent exited (${agent.exitCode}):\n${agentLog}`,
          },
        );
        assert.match(instance.ec2InstanceId ?? '', /^mi-[0-9a-f]{17}$/);
        arn = instance.containerInstanceArn ?? '';
        const metadata = (await (await fetch(`http://${introspection}/v1/metadata`)).json()) as {
          ContainerInstanceArn: string | null;
        };
        assert.equal(metadata.ContainerInstanceArn, arn);
        assert.ok(existsSync(join(dataDir, 'identity.json')));
      } catch (e) {
        throw new Error(`${(e as Error).message}\nagent log:\n${agentLog}`);
      } finally {
        agent.kill('SIGTERM');
        await exited(agent);
      }
    },
  );

  /** A stand-in systemd: BERTH_INSTALL_SYSTEMD_ROOT with run/systemd/system, and `systemctl` on PATH. */
  function fakeSystemd(name: string): { env: Record<string, string>; root: string; log: string } {
    const sysRoot = join(root, name);
    const bin = join(sysRoot, 'bin');
    mkdirSync(join(sysRoot, 'run', 'systemd', 'system'), { recursive: true });
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'systemctl'), FAKE_SYSTEMCTL);
    chmodSync(join(bin, 'systemctl'), 0o755);
    const log = join(sysRoot, 'systemctl.log');
    return {
      root: sysRoot,
      log,
      env: {
        BERTH_INSTALL_SYSTEMD_ROOT: sysRoot,
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        FAKE_SYSTEMD_LOG: log,
        FAKE_SYSTEMD_AGENT_LOG: join(sysRoot, 'agent.log'),
        FAKE_SYSTEMD_AGENT_PID: join(sysRoot, 'agent.pid'),
      },
    };
  }

  const installArgs = (introspection: string, registration: 'activation' | 'skip') => [
    ...(registration === 'skip'
      ? ['--skip-registration']
      : ['--activation-id', activation.id, '--activation-code', activation.code]),
    '--cluster',
    CLUSTER,
    '--docker-install-source',
    'none',
    '--prefix',
    prefix,
    '--config-dir',
    configDir,
    '--data-dir',
    dataDir,
    '--introspection-listen',
    introspection,
  ];

  void it(
    'under systemd: installs the unit, enables and starts it, and waits until the instance is registered',
    { timeout: INSTALL_TIMEOUT_MS },
    async () => {
      assert.ok(arn, 'the first install registered the host');
      const systemd = fakeSystemd('systemd-start');
      const introspection = `127.0.0.1:${await freePort()}`;
      const r = await runScript(served, installArgs(introspection, 'skip'), systemd.env);
      const pidFile = systemd.env.FAKE_SYSTEMD_AGENT_PID!;
      if (existsSync(pidFile)) agentPids.push(Number(readFileSync(pidFile, 'utf8')));
      const agentLog = () => readFileSync(systemd.env.FAKE_SYSTEMD_AGENT_LOG!, 'utf8');
      assert.equal(r.code, 0, `${r.stderr}\nagent log:\n${existsSync(pidFile) ? agentLog() : '-'}`);
      // Registered before: the same container instance comes back, and it is what the script reports.
      assert.equal(r.stdout.trim(), arn);
      assert.match(r.stderr, /already registered/);
      assert.deepEqual(readFileSync(systemd.log, 'utf8').trim().split('\n'), [
        'daemon-reload',
        'enable berth-agent.service',
        'restart berth-agent.service',
      ]);
      const unit = readFileSync(
        join(systemd.root, 'etc', 'systemd', 'system', 'berth-agent.service'),
        'utf8',
      );
      assert.match(
        unit,
        new RegExp(`^ExecStart=${prefix}/bin/berth agent --config ${configDir}/agent.json$`, 'm'),
      );
      assert.match(unit, /^Restart=always$/m);
      assert.match(unit, /^After=docker\.service network-online\.target$/m);
      assert.match(unit, /^WantedBy=multi-user\.target$/m);
      // Without an activation, the configuration holds no activation code.
      const config = JSON.parse(readFileSync(join(configDir, 'agent.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      assert.equal(config.activationCode, undefined);
      assert.equal(config.dataDir, dataDir);
      const instances = await listInstances();
      assert.equal(instances.length, 1, 'no second container instance');
      const pid = agentPids.pop();
      if (pid !== undefined) await stopPid(pid);
    },
  );

  void it(
    'under systemd with --no-start: enables the service without starting it',
    { timeout: INSTALL_TIMEOUT_MS },
    async () => {
      const systemd = fakeSystemd('systemd-no-start');
      const r = await runScript(
        served,
        [
          ...installArgs(`127.0.0.1:${await freePort()}`, 'activation'),
          '--no-start',
          '--package',
          join(root, 'berth.tgz'),
        ],
        systemd.env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'systemctl start berth-agent');
      assert.doesNotMatch(r.stderr, /downloading/);
      assert.deepEqual(readFileSync(systemd.log, 'utf8').trim().split('\n'), [
        'daemon-reload',
        'enable berth-agent.service',
      ]);
    },
  );

  void it(
    'under systemd: says where to look when the agent does not register in time',
    { timeout: INSTALL_TIMEOUT_MS },
    async () => {
      const systemd = fakeSystemd('systemd-silent');
      const r = await runScript(
        served,
        [
          ...installArgs(`127.0.0.1:${await freePort()}`, 'activation'),
          '--wait-seconds',
          '2',
          '--package',
          join(root, 'berth.tgz'),
        ],
        { ...systemd.env, FAKE_SYSTEMD_NO_AGENT: '1' },
      );
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /the agent did not register within 2s\. See what it says with: journalctl -u berth-agent/,
      );
    },
  );

  void it('--help says how to install the stock agent itself', async () => {
    const r = await runScript(served, ['--help'], {}, 10_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--stock-agent/);
    assert.match(r.stdout, /amazon-ecs-init-latest\.amd64\.deb/);
    assert.match(r.stdout, /amazon\/amazon-ecs-agent/);
    assert.match(r.stdout, /-v \/rotatingcreds:\/rotatingcreds:ro/);
  });

  void it(
    '--stock-agent under systemd: berth-credentials writes the credentials file, and ecs.config names the control plane',
    { timeout: INSTALL_TIMEOUT_MS },
    async () => {
      const systemd = fakeSystemd('systemd-stock');
      const stock = join(root, 'stock');
      const credentialsFile = join(stock, 'rotatingcreds', 'credentials');
      const ecsConfig = join(stock, 'etc', 'ecs', 'ecs.config');
      const stockConfigDir = join(stock, 'etc', 'berth');
      const stockData = join(stock, 'data');
      // A host with an ecs.config already: its other settings stay, the ones the script owns are replaced.
      mkdirSync(dirname(ecsConfig), { recursive: true });
      writeFileSync(ecsConfig, 'ECS_ENGINE_AUTH_TYPE=dockercfg\nECS_CLUSTER=old\n');
      const r = await runScript(
        served,
        [
          '--stock-agent',
          '--activation-id',
          activation.id,
          '--activation-code',
          activation.code,
          '--cluster',
          CLUSTER,
          '--docker-install-source',
          'none',
          '--prefix',
          prefix,
          '--config-dir',
          stockConfigDir,
          '--data-dir',
          stockData,
          '--credentials-file',
          credentialsFile,
          '--ecs-config-file',
          ecsConfig,
          '--package',
          join(root, 'berth.tgz'),
        ],
        systemd.env,
      );
      const pidFile = systemd.env.FAKE_SYSTEMD_AGENT_PID!;
      if (existsSync(pidFile)) agentPids.push(Number(readFileSync(pidFile, 'utf8')));
      const log = () =>
        existsSync(systemd.env.FAKE_SYSTEMD_AGENT_LOG!)
          ? readFileSync(systemd.env.FAKE_SYSTEMD_AGENT_LOG!, 'utf8')
          : '-';
      assert.equal(r.code, 0, `${r.stderr}\nberth credentials log:\n${log()}`);
      const instanceId = r.stdout.trim();
      assert.match(instanceId, /^mi-[0-9a-f]{17}$/);
      assert.equal(
        (JSON.parse(readFileSync(join(stockData, 'identity.json'), 'utf8')) as { instanceId: string })
          .instanceId,
        instanceId,
      );
      assert.match(r.stderr, /amazon-ecs-init/);
      assert.deepEqual(readFileSync(systemd.log, 'utf8').trim().split('\n'), [
        'daemon-reload',
        'enable berth-credentials.service',
        'restart berth-credentials.service',
      ]);

      const m =
        /^\[default\]\naws_access_key_id = (\S+)\naws_secret_access_key = (\S+)\naws_session_token = (\S+)\n$/.exec(
          readFileSync(credentialsFile, 'utf8'),
        );
      assert.ok(m, 'a shared-credentials file with the default profile');
      assert.equal(statSync(credentialsFile).mode & 0o777, 0o600);
      const ecs = new ECSClient({
        endpoint: t.url,
        region: t.region,
        credentials: { accessKeyId: m[1]!, secretAccessKey: m[2]!, sessionToken: m[3]! },
        maxAttempts: 1,
      });
      assert.ok((await ecs.send(new DiscoverPollEndpointCommand({}))).endpoint);
      ecs.destroy();

      assert.equal(
        readFileSync(ecsConfig, 'utf8'),
        `ECS_ENGINE_AUTH_TYPE=dockercfg\nECS_BACKEND_HOST=${t.url}\nECS_CLUSTER=${CLUSTER}\n` +
          `ECS_EXTERNAL=true\nAWS_DEFAULT_REGION=${t.region}\n`,
      );
      const envFile = join(stockConfigDir, 'credentials.env');
      assert.equal(statSync(envFile).mode & 0o777, 0o600);
      assert.match(
        readFileSync(envFile, 'utf8'),
        new RegExp(`^BERTH_ACTIVATION_CODE=${activation.code}$`, 'm'),
      );
      assert.match(
        readFileSync(envFile, 'utf8'),
        new RegExp(`^BERTH_CREDENTIALS_FILE=${credentialsFile}$`, 'm'),
      );
      const unit = readFileSync(
        join(systemd.root, 'etc', 'systemd', 'system', 'berth-credentials.service'),
        'utf8',
      );
      assert.match(unit, new RegExp(`^ExecStart=${prefix}/bin/berth credentials$`, 'm'));
      assert.match(unit, new RegExp(`^EnvironmentFile=${envFile}$`, 'm'));
      assert.match(unit, /^RestartPreventExitStatus=2 5$/m);
      assert.match(unit, /^Before=ecs\.service$/m);
      const pid = agentPids.pop();
      if (pid !== undefined) await stopPid(pid);
    },
  );

  void describe('refuses, saying what to do, and changes nothing', () => {
    let fakeNode: string;
    let osRelease: string;
    let closedPort: number;
    const untouched = () => join(root, 'untouched');
    const dirs = () => [
      '--prefix',
      join(untouched(), 'opt'),
      '--config-dir',
      join(untouched(), 'etc'),
      '--data-dir',
      join(untouched(), 'data'),
    ];
    const full = () => [
      '--activation-id',
      activation.id,
      '--activation-code',
      activation.code,
      '--docker-install-source',
      'none',
      ...dirs(),
    ];

    before(async () => {
      const bin = join(root, 'old-node-bin');
      mkdirSync(bin, { recursive: true });
      fakeNode = bin;
      writeFileSync(join(bin, 'node'), '#!/bin/sh\necho v18.19.0\n');
      chmodSync(join(bin, 'node'), 0o755);
      osRelease = join(root, 'os-release-fedora');
      writeFileSync(
        osRelease,
        'NAME="Fedora Linux"\nID=fedora\nPRETTY_NAME="Fedora Linux 40 (Server Edition)"\n',
      );
      closedPort = await freePort();
    });

    const refuses = async (
      args: readonly string[],
      pattern: RegExp,
      env: Record<string, string> = {},
      script = served,
    ): Promise<RunResult> => {
      const r = await runScript(script, args, env, 60_000);
      assert.notEqual(r.code, 0, `refused: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stdout, '');
      assert.equal(existsSync(untouched()), false, 'nothing was created');
      return r;
    };

    void it('without the activation id and code', async () => {
      const r = await refuses(
        dirs(),
        /--activation-id and --activation-code are required: create an activation/,
      );
      assert.equal(r.code, 2);
      assert.match(r.stderr, /aws ssm create-activation/);
      assert.match(r.stderr, /--skip-registration/);
    });

    void it('when a flag is followed by another flag instead of its value', async () => {
      await refuses(
        ['--activation-id', '--activation-code', activation.code, ...dirs()],
        /--activation-id needs a value, but the next word is the option '--activation-code'/,
      );
    });

    void it('an unknown option, and ECS-only options, by name', async () => {
      await refuses([...full(), '--colour'], /unknown option '--colour'/);
      await refuses(
        [...full(), '--region', 'us-east-1'],
        /--region is an option of ECS Anywhere's installer.*--endpoint/,
      );
    });

    void it("--docker-install-source docker, pointing to installing Docker oneself and 'none'", async () => {
      const r = await refuses(
        [...full(), '--docker-install-source', 'docker'],
        /--docker-install-source docker .* is not supported/,
      );
      assert.match(
        r.stderr,
        /Install Docker yourself and run this script again with --docker-install-source none/,
      );
      await refuses(
        [...full(), '--docker-install-source', 'snap'],
        /must be all, distro or none, not 'snap'/,
      );
    });

    void it('without an endpoint, in the copy that has none filled in', async () => {
      await refuses(
        full(),
        /--endpoint is required: the URL this host reaches the control plane at/,
        {},
        SCRIPT,
      );
    });

    void it('when not run as root', async () => {
      await refuses(full(), /must run as root.*sudo/, { BERTH_INSTALL_ASSUME_UID: '1000' });
    });

    void it('on a distribution it cannot install Docker on', async () => {
      const r = await refuses(
        [...full(), '--docker-install-source', 'all'],
        /supports Debian and Ubuntu .*this host runs Fedora Linux 40/,
        { BERTH_INSTALL_OS_RELEASE: osRelease },
      );
      assert.match(r.stderr, /--docker-install-source none/);
    });

    void it('with a Node.js older than 20.19, explaining how to get a newer one', async () => {
      const r = await refuses(full(), /needs Node\.js 20\.19 or newer; .*\/node is v18\.19\.0/, {
        PATH: `${fakeNode}:${process.env.PATH ?? ''}`,
      });
      assert.match(r.stderr, /Debian 12's own nodejs package is version 18/);
      assert.match(r.stderr, /nodejs\.org/);
    });

    void it('when the control plane cannot be reached', async () => {
      const r = await refuses(
        [...full(), '--endpoint', `http://127.0.0.1:${closedPort}`],
        /cannot reach the Berth control plane at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
      );
      assert.match(r.stderr, /Check --endpoint/);
    });

    void it("the stock agent's options without --stock-agent, and Berth agent's with it", async () => {
      const r = await refuses(
        [...full(), '--credentials-file', '/root/.aws/credentials'],
        /--credentials-file is an option of the stock agent's installation: give it with --stock-agent/,
      );
      assert.equal(r.code, 2);
      await refuses(
        [...full(), '--stock-agent', '--introspection-listen', '127.0.0.1:51678'],
        /--introspection-listen is an option of Berth's agent/,
      );
      await refuses(
        [...full(), '--stock-agent', '--credentials-file', 'relative/credentials'],
        /--credentials-file 'relative\/credentials' must be the absolute path of a file/,
      );
    });

    void it('--skip-registration on a host that was never registered', async () => {
      await refuses(
        ['--skip-registration', '--docker-install-source', 'none', ...dirs()],
        /--skip-registration needs a host that is already registered, but .*identity\.json holds no registered identity/,
      );
    });
  });
});
