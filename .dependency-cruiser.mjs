// Berth's floor plan as import rules (see README, "Layout"). They held only by discipline; `scripts/test.sh`
// now runs `depcruise src` and fails on any of them. test/lint/boundaries.test.ts plants one violation per
// rule to prove each one still fires. Paths are relative to the folder the cruise runs from.

const KERNELS = '^src/(ecs|acs|sigv4|domain|scheduler|query|util|logs)/';
// Test code: test files and `testing/` folders (fakes and fixtures), which the build leaves out.
const TEST_CODE = '(^|/)testing/|[.]test[.]ts$';

// Modules that reach outside the process (files, network, processes, the host) and libraries that wrap them.
// `node:module` is not here: load-model.ts uses createRequire to read JSON shipped inside the package, which
// is a constant like any other import, not an environment the kernel would depend on.
const IO_CORE = [
  'fs',
  'fs/promises',
  'http',
  'https',
  'http2',
  'net',
  'tls',
  'dgram',
  'dns',
  'dns/promises',
  'child_process',
  'cluster',
  'worker_threads',
  'os',
  'readline',
];
const IO_PACKAGES = [
  'better-sqlite3',
  'kysely',
  'dockerode',
  'ws',
  'pino',
  'prom-client',
  'commander',
  '@aws-sdk',
];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'agent-not-control-plane',
      comment: 'The agent and the control plane are separate processes: they share only the pure kernels.',
      severity: 'error',
      from: { path: '^src/agent/' },
      to: { path: '^src/control-plane/' },
    },
    {
      name: 'control-plane-not-agent',
      comment: 'The agent and the control plane are separate processes: they share only the pure kernels.',
      severity: 'error',
      from: { path: '^src/control-plane/' },
      to: { path: '^src/agent/' },
    },
    {
      name: 'kernel-imports-only-kernels',
      comment:
        'A kernel (ecs acs sigv4 domain scheduler query util logs) never reaches up into a process or the CLI.',
      severity: 'error',
      from: { path: KERNELS },
      to: { path: '^src/', pathNot: KERNELS },
    },
    {
      name: 'kernel-no-io',
      comment:
        'Kernels are pure: no files, network, processes or host. Type-only imports (header shapes, SDK types) ' +
        'are erased by the compiler and allowed; test helpers may do what they like.',
      severity: 'error',
      from: { path: KERNELS, pathNot: TEST_CODE },
      to: {
        path: [`^(node:)?(${IO_CORE.join('|')})$`, `(^|/)node_modules/(${IO_PACKAGES.join('|')})/`],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'use-cases-not-front-door',
      comment:
        'Use cases and the store sit below the operations and the HTTP front door: no import runs back up.',
      severity: 'error',
      from: { path: '^src/control-plane/(tasks|services|snapshots|lookup|instances|store|auth)/' },
      to: { path: '^src/control-plane/(operations|http)/' },
    },
    {
      name: 'no-circular',
      comment: 'No file-level import cycles, type-only imports included.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'production-not-test-code',
      comment:
        'The build leaves out testing/ folders and *.test.ts, so production code importing them would ship ' +
        'test code in dist/ (tsc emits whatever is imported, excluded or not).',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'resolvable',
      comment: 'An import the cruiser cannot resolve would slip past every rule above.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: they are dependencies a reader follows, and what makes a cycle a tangle.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  },
};
