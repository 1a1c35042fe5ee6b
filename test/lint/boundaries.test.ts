/**
 * The floor plan's import rules (.dependency-cruiser.mjs, run by scripts/test.sh) each fire on a planted
 * violation, stay quiet on the imports the plan allows, and pass on the real tree. Planted files are written
 * to a temporary `src/` outside the repository, so the normal lint, typecheck and build never see them; the
 * temporary tree links the repository's node_modules so package imports resolve as they do in `src/`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { cruise, type IConfiguration } from 'dependency-cruiser';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

async function loadConfig(): Promise<IConfiguration> {
  const module = (await import(pathToFileURL(join(ROOT, '.dependency-cruiser.mjs')).href)) as {
    default: IConfiguration;
  };
  return module.default;
}

/** Violations in `baseDir/src` as `rule: from -> to`, sorted; a cycle is reported once, with its path. */
async function violations(baseDir: string): Promise<string[]> {
  const config = await loadConfig();
  const { output } = await cruise(['src'], {
    ...config.options,
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden ?? [] },
  });
  assert.ok(typeof output !== 'string');
  return output.summary.violations
    .map((v) => {
      const cycle = v.cycle ? ` (cycle: ${v.cycle.map((step) => step.name).join(' -> ')})` : '';
      return `${v.rule.name}: ${v.from} -> ${v.to}${cycle}`;
    })
    .sort();
}

/** Writes `files` (paths under the temporary root) and returns the violations the rules report. */
async function plant(files: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-boundaries-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return await violations(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const LEAF = 'export const leaf = 1;\n';

describe('import boundaries', () => {
  it('the agent and the control plane never import each other; the CLI and kernels are shared', async () => {
    const found = await plant({
      'src/agent/agent.ts':
        "import { server } from '../control-plane/server.js';\nexport const a = server;\n",
      'src/control-plane/server.ts': "import { leaf } from '../util/leaf.js';\nexport const server = leaf;\n",
      'src/control-plane/instances/gateway.ts':
        "import { agentLeaf } from '../../agent/leaf.js';\nexport const g = agentLeaf;\n",
      'src/agent/leaf.ts': 'export const agentLeaf = 1;\n',
      'src/util/leaf.ts': LEAF,
      'src/cli/main.ts':
        "import { a } from '../agent/agent.js';\nimport { server } from '../control-plane/server.js';\n" +
        'export const both = [a, server];\n',
    });
    assert.deepEqual(found, [
      'agent-not-control-plane: src/agent/agent.ts -> src/control-plane/server.ts',
      'control-plane-not-agent: src/control-plane/instances/gateway.ts -> src/agent/leaf.ts',
    ]);
  });

  it('a kernel imports only kernels', async () => {
    const found = await plant({
      'src/scheduler/stack.ts':
        "import { leaf } from '../util/leaf.js';\nimport { store } from '../control-plane/store/store.js';\n" +
        'export const s = [leaf, store];\n',
      'src/domain/rule.ts': "import { main } from '../cli/main.js';\nexport const r = main;\n",
      'src/control-plane/store/store.ts': 'export const store = 1;\n',
      'src/cli/main.ts': 'export const main = 1;\n',
      'src/util/leaf.ts': LEAF,
    });
    assert.deepEqual(found, [
      'kernel-imports-only-kernels: src/domain/rule.ts -> src/cli/main.ts',
      'kernel-imports-only-kernels: src/scheduler/stack.ts -> src/control-plane/store/store.ts',
    ]);
  });

  it('a kernel does no I/O, but may name I/O types, hash, and read JSON shipped with it', async () => {
    const found = await plant({
      'src/util/read.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
      'src/query/docker.ts': "import Docker from 'dockerode';\nexport const d = Docker;\n",
      'src/acs/socket.ts': "import { WebSocket } from 'ws';\nexport const w = WebSocket;\n",
      'src/sigv4/allowed.ts':
        "import type { IncomingHttpHeaders } from 'node:http';\nimport { createHash } from 'node:crypto';\n" +
        "import { createRequire } from 'node:module';\n" +
        'export type H = IncomingHttpHeaders;\nexport const h = [createHash, createRequire];\n',
      'src/sigv4/testing/run-botocore.ts':
        "import { spawnSync } from 'node:child_process';\nexport const s = spawnSync;\n",
    });
    assert.equal(found.length, 3, found.join('\n'));
    assert.match(found[0]!, /^kernel-no-io: src\/acs\/socket\.ts -> (.*\/)?node_modules\/ws\//);
    assert.match(found[1]!, /^kernel-no-io: src\/query\/docker\.ts -> (.*\/)?node_modules\/dockerode\//);
    assert.equal(found[2], 'kernel-no-io: src/util/read.ts -> fs');
  });

  it('control-plane use cases never import operations or the HTTP front door', async () => {
    const found = await plant({
      'src/control-plane/tasks/place.ts':
        "import { render } from '../operations/ecs/tasks/run-task.js';\nexport const p = render;\n",
      'src/control-plane/store/sqlite/db.ts':
        "import { route } from '../../http/router.js';\nexport const d = route;\n",
      'src/control-plane/operations/ecs/tasks/run-task.ts':
        "import { leaf } from '../../../tasks/leaf.js';\nexport const render = leaf;\n",
      'src/control-plane/tasks/leaf.ts': LEAF,
      'src/control-plane/http/router.ts':
        "import { render } from '../operations/ecs/tasks/run-task.js';\nexport const route = render;\n",
    });
    assert.deepEqual(found, [
      'use-cases-not-front-door: src/control-plane/store/sqlite/db.ts -> src/control-plane/http/router.ts',
      'use-cases-not-front-door: src/control-plane/tasks/place.ts -> src/control-plane/operations/ecs/tasks/run-task.ts',
    ]);
  });

  it('no import cycle, type-only imports included', async () => {
    const found = await plant({
      'src/domain/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n",
      'src/domain/b.ts': "import { c } from './c.js';\nexport interface B { c: typeof c }\n",
      'src/domain/c.ts': "import type { A } from './a.js';\nexport const c: A = {};\n",
    });
    assert.deepEqual(found, [
      'no-circular: src/domain/a.ts -> src/domain/b.ts (cycle: src/domain/b.ts -> src/domain/c.ts -> src/domain/a.ts)',
    ]);
  });

  it('production code never imports testing/ folders or test files; tests may', async () => {
    const found = await plant({
      'src/agent/engine/engine.ts': "import { fake } from '../testing/fake.js';\nexport const e = fake;\n",
      'src/domain/rule.ts': "import { cases } from './rule.test.js';\nexport const r = cases;\n",
      'src/domain/rule.test.ts': 'export const cases = 1;\n',
      'src/agent/testing/fake.ts': "import { leaf } from '../leaf.js';\nexport const fake = leaf;\n",
      'src/agent/leaf.ts': LEAF,
      'src/agent/agent.test.ts': "import { fake } from './testing/fake.js';\nexport const t = fake;\n",
    });
    assert.deepEqual(found, [
      'production-not-test-code: src/agent/engine/engine.ts -> src/agent/testing/fake.ts',
      'production-not-test-code: src/domain/rule.ts -> src/domain/rule.test.ts',
    ]);
  });

  it('an import the cruiser cannot resolve fails instead of slipping past the rules', async () => {
    const found = await plant({
      'src/util/a.ts': "import { gone } from './gone.js';\nexport const a = gone;\n",
    });
    assert.deepEqual(found, ['resolvable: src/util/a.ts -> ./gone.js']);
  });

  it('the tree as it stands passes', async () => {
    assert.deepEqual(await violations(ROOT), []);
  });
});

describe('scripts/check-dist.sh', () => {
  async function checkDist(files: string[]): Promise<{ ok: boolean; stderr: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'berth-dist-'));
    try {
      for (const path of files) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), '');
      }
      await run('bash', [join(ROOT, 'scripts/check-dist.sh'), dir]);
      return { ok: true, stderr: '' };
    } catch (error) {
      return { ok: false, stderr: String((error as { stderr?: unknown }).stderr) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('passes a build without test code', async () => {
    assert.deepEqual(await checkDist(['agent/agent.js', 'agent/agent.d.ts']), { ok: true, stderr: '' });
  });

  it('fails a build that shipped a testing/ module or a test file, naming it', async () => {
    const testing = await checkDist(['agent/agent.js', 'agent/testing/fake-engine.js']);
    assert.equal(testing.ok, false);
    assert.match(testing.stderr, /agent\/testing\/fake-engine\.js/);
    const test = await checkDist(['domain/rule.js', 'domain/rule.test.js']);
    assert.equal(test.ok, false);
    assert.match(test.stderr, /domain\/rule\.test\.js/);
  });
});
