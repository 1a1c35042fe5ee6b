/**
 * The native build needs nothing outside the package registries: with the set-up's environment
 * (`scripts/setup.sh --print-build-env`), better-sqlite3 builds from source in a copy, while every place a
 * download could come from (Node's headers, prebuilt binaries, the npm registry) points at a port on
 * 127.0.0.1 that accepts no request: the build succeeds, nothing knocked on that port, and the module it
 * built opens a database. npm's own configuration files are left out (empty user and global files), so the
 * machine's npm settings cannot be what makes it work.
 *
 * It compiles SQLite: a few minutes on a small machine, so it sits in the setup tier (`npm test`), not in
 * the fast one.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const MODULES = join(ROOT, 'node_modules');

/** The variables `scripts/setup.sh --print-build-env` prints, as NAME=value lines. */
async function setupBuildEnv(): Promise<Record<string, string>> {
  const { stdout } = await run('bash', [join(ROOT, 'scripts/setup.sh'), '--print-build-env'], {
    env: withoutNpmConfig(process.env),
  });
  const vars: Record<string, string> = {};
  for (const line of stdout.trim().split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) vars[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return vars;
}

/** The environment without npm's settings: `npm test` passes the machine's npm configuration down this way. */
function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
}

describe('the native build downloads nothing', () => {
  let dir: string;
  let closed: Server;
  const knocks: string[] = [];
  let url: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-native-build-'));
    // Accepts a connection only to note what was asked for, then drops it unanswered.
    closed = createServer((socket) => {
      knocks.push('(connected)');
      socket.once('data', (data: Buffer) => {
        knocks[knocks.length - 1] = data.toString('latin1').split('\r\n')[0] ?? '';
        socket.destroy();
      });
      socket.setTimeout(2_000, () => socket.destroy());
    });
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const address = closed.address();
    assert.ok(address !== null && typeof address === 'object');
    url = `http://127.0.0.1:${address.port}`;
  });

  after(async () => {
    await new Promise<void>((done) => closed.close(() => done()));
    rmSync(dir, { recursive: true, force: true });
  });

  void it('builds better-sqlite3 from source with every download location closed, and the module loads', async () => {
    const buildEnv = await setupBuildEnv();
    assert.equal(buildEnv.npm_config_build_from_source, 'true');
    assert.ok(
      existsSync(join(buildEnv.npm_config_nodedir ?? '', 'include/node/node.h')),
      'the set-up names a directory holding Node.js headers',
    );

    // A project of its own: a fresh copy of better-sqlite3 (no build/), everything else linked from ours.
    const modules = join(dir, 'node_modules');
    mkdirSync(modules);
    for (const name of readdirSync(MODULES)) {
      if (name !== 'better-sqlite3') symlinkSync(join(MODULES, name), join(modules, name));
    }
    cpSync(join(MODULES, 'better-sqlite3'), join(modules, 'better-sqlite3'), {
      recursive: true,
      filter: (source) => !source.startsWith(join(MODULES, 'better-sqlite3', 'build')),
    });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'native-build-check', private: true }));
    const userRc = join(dir, 'user-npmrc');
    const globalRc = join(dir, 'global-npmrc');
    writeFileSync(userRc, '');
    writeFileSync(globalRc, '');

    const env = {
      ...withoutNpmConfig(process.env),
      ...buildEnv,
      npm_config_userconfig: userRc,
      npm_config_globalconfig: globalRc,
      npm_config_registry: `${url}/registry/`,
      // npm's weekly look for a newer npm is no part of the build (and would knock on the registry).
      npm_config_update_notifier: 'false',
      // node-gyp's header downloads
      npm_config_disturl: `${url}/dist`,
      npm_config_dist_url: `${url}/dist`,
      NODEJS_ORG_MIRROR: `${url}/dist`,
      NVM_NODEJS_ORG_MIRROR: `${url}/dist`,
      // prebuild-install's binary downloads
      npm_config_better_sqlite3_binary_host: `${url}/prebuilt`,
      npm_config_better_sqlite3_binary_host_mirror: `${url}/prebuilt`,
      // A leftover cache of node-gyp must not stand in for the headers the set-up names.
      npm_config_devdir: join(dir, 'node-gyp-cache'),
    };
    const started = Date.now();
    const build = await run('npm', ['rebuild', 'better-sqlite3', '--foreground-scripts'], {
      cwd: dir,
      env,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((e: unknown) => {
      const err = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`npm rebuild failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    const seconds = Math.round((Date.now() - started) / 1000);
    const built = join(modules, 'better-sqlite3/build/Release/better_sqlite3.node');
    assert.ok(existsSync(built), `built ${built} (in ${seconds} s)\n${build.stdout}\n${build.stderr}`);
    assert.deepEqual(knocks, [], 'nothing was fetched from the closed port');
    assert.doesNotMatch(build.stdout + build.stderr, /http request GET|gyp http GET/, 'no download tried');

    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        "const D = require('better-sqlite3'); const db = new D(':memory:');" +
          "console.log(db.prepare('select sqlite_version() as v').get().v); db.close();",
      ],
      { cwd: dir, env: withoutNpmConfig(process.env) },
    );
    assert.match(stdout.trim(), /^3\.\d+\.\d+$/, 'the module built here opens a database');
  });
});
