import type { Case } from './testing/cases.js';
import { C, refuses, side, web } from './testing/cases.js';

const cases: Case[] = [
  // Image.
  ['empty image', (i) => (web(i).image = ''), C, 'Container.image should not be null or empty'],
  ['missing image', (i) => (web(i).image = undefined), C, "Set 'image' for container 'web'"],
  ['image with a space', (i) => (web(i).image = 'nginx latest'), C, "Image 'nginx latest' is not valid"],
  ['image name over 255', (i) => (web(i).image = 'a'.repeat(256)), C, 'longer than 255'],
  ['image with a bad digest', (i) => (web(i).image = 'nginx@sha256:abc'), C, 'invalid digest'],
  // Memory and CPU.
  [
    'no memory anywhere',
    (i) => {
      i.memory = undefined;
      side(i).memory = undefined;
    },
    C,
    "Invalid setting for container 'sidecar'. At least one of 'memory' or 'memoryReservation' must be specified.",
  ],
  ['memory below 6 MiB', (i) => (web(i).memory = 4), C, "'memory' must be at least 6 MiB"],
  [
    'memoryReservation of 0',
    (i) => (web(i).memoryReservation = 0),
    C,
    "'memoryReservation' must be a positive",
  ],
  [
    'reservation above memory',
    (i) => (web(i).memoryReservation = 300),
    C,
    "must not be greater than 'memory'",
  ],
  ['container memory above task', (i) => (web(i).memory = 2048), C, "greater than the task 'memory' (1024)"],
  [
    'reservations above task memory',
    (i) => {
      web(i).memory = 1000;
      side(i).memory = 100;
    },
    C,
    "The sum of all container 'memoryReservation' values",
  ],
  ['negative container cpu', (i) => (web(i).cpu = -1), C, "'cpu' must be 0 or more"],
  ['container cpu above task', (i) => (web(i).cpu = 2048), C, "greater than the task 'cpu' (1024)"],
  [
    'container cpu sum above task',
    (i) => {
      web(i).cpu = 1000;
      side(i).cpu = 100;
    },
    C,
    "The sum of all container 'cpu' values (1100)",
  ],
  ['task cpu not a number', (i) => (i.cpu = 'lots'), C, "Invalid 'cpu' setting for task."],
  ['task cpu below 128', (i) => (i.cpu = '64'), C, "Invalid 'cpu' setting for task."],
  ['task cpu above 192 vCPU', (i) => (i.cpu = '193 vCPU'), C, "Invalid 'cpu' setting for task."],
  ['task cpu fraction off the unit grid', (i) => (i.cpu = '0.3 vcpu'), C, "got '0.3 vcpu'"],
  ['task memory in megabytes', (i) => (i.memory = '512m'), C, "Invalid 'memory' setting for task."],
  [
    'GPU requirement not a count',
    (i) => (web(i).resourceRequirements = [{ type: 'GPU', value: 'one' }]),
    C,
    'GPU',
  ],
  // Health checks and timeouts.
  [
    'health check without CMD',
    (i) => (side(i).healthCheck = { command: ['curl', 'localhost'] }),
    C,
    "must start with 'CMD'",
  ],
  [
    'health check with CMD only',
    (i) => (side(i).healthCheck = { command: ['CMD'] }),
    C,
    "needs a command after 'CMD'",
  ],
  [
    'health check interval 4',
    (i) => (side(i).healthCheck = { command: ['CMD', 'true'], interval: 4 }),
    C,
    'healthCheck.interval must be between 5 and 300',
  ],
  [
    'health check timeout 61',
    (i) => (side(i).healthCheck = { command: ['CMD', 'true'], timeout: 61 }),
    C,
    'healthCheck.timeout must be between 2 and 60',
  ],
  [
    'health check retries 0',
    (i) => (side(i).healthCheck = { command: ['CMD', 'true'], retries: 0 }),
    C,
    'healthCheck.retries must be between 1 and 10',
  ],
  [
    'health check start period 301',
    (i) => (side(i).healthCheck = { command: ['CMD', 'true'], startPeriod: 301 }),
    C,
    'healthCheck.startPeriod must be between 0 and 300',
  ],
  ['negative stop timeout', (i) => (web(i).stopTimeout = -1), C, "'stopTimeout' must be 0 or more seconds"],
  [
    'negative start timeout',
    (i) => (web(i).startTimeout = -5),
    C,
    "'startTimeout' must be 0 or more seconds",
  ],
  [
    'restart period of 30 s',
    (i) => (web(i).restartPolicy = { enabled: true, restartAttemptPeriod: 30 }),
    C,
    'between 60 and 1800',
  ],
  // Ulimits, logging, environment, labels, hosts.
  [
    'ulimit soft above hard',
    (i) => (web(i).ulimits = [{ name: 'nofile', softLimit: 10, hardLimit: 5 }]),
    C,
    "ulimit 'nofile' has softLimit 10 above hardLimit 5",
  ],
  [
    'ulimit given twice',
    (i) =>
      (web(i).ulimits = [
        { name: 'nofile', softLimit: 1, hardLimit: 1 },
        { name: 'nofile', softLimit: 2, hardLimit: 2 },
      ]),
    C,
    'given more than once',
  ],
  [
    'awsfirelens without a router',
    (i) => (web(i).logConfiguration = { logDriver: 'awsfirelens' }),
    C,
    'no container in the task has a firelensConfiguration',
  ],
  [
    'log option with an empty key',
    (i) => (web(i).logConfiguration = { logDriver: 'json-file', options: { '': 'x' } }),
    C,
    'options keys must not be empty',
  ],
  [
    'environment variable without a name',
    (i) => (web(i).environment = [{ value: 'x' }]),
    C,
    "needs a non-empty 'name'",
  ],
  [
    'environment variable given twice',
    (i) =>
      (web(i).environment = [
        { name: 'A', value: '1' },
        { name: 'A', value: '2' },
      ]),
    C,
    "Environment variable 'A' is given more than once",
  ],
  [
    'secret without valueFrom',
    (i) => (web(i).secrets = [{ name: 'A', valueFrom: '' }]),
    C,
    "needs a non-empty 'name' and 'valueFrom'",
  ],
  [
    'docker label with an empty key',
    (i) => (web(i).dockerLabels = { '': 'x' }),
    C,
    'dockerLabels keys must not be empty',
  ],
  [
    'extra host without an address',
    (i) => (web(i).extraHosts = [{ hostname: 'db', ipAddress: '' }]),
    C,
    "non-empty 'hostname' and 'ipAddress'",
  ],
  [
    'extra hosts in awsvpc mode',
    (i) => {
      i.requiresCompatibilities = ['EC2'];
      i.networkMode = 'awsvpc';
      web(i).portMappings = [];
      web(i).extraHosts = [{ hostname: 'db', ipAddress: '10.0.0.1' }];
    },
    C,
    "extraHosts is not supported with network mode 'awsvpc'",
  ],
  [
    'hostname in awsvpc mode',
    (i) => {
      i.requiresCompatibilities = ['EC2'];
      i.networkMode = 'awsvpc';
      web(i).portMappings = [];
      web(i).hostname = 'web';
    },
    C,
    "hostname is not supported with network mode 'awsvpc'",
  ],
  // Linux parameters and sysctls.
  [
    'capability with CAP_ prefix',
    (i) => (web(i).linuxParameters = { capabilities: { add: ['CAP_NET_ADMIN'] } }),
    C,
    "unknown capability 'CAP_NET_ADMIN'",
  ],
  [
    'unknown dropped capability',
    (i) => (web(i).linuxParameters = { capabilities: { drop: ['EVERYTHING'] } }),
    C,
    'capabilities.drop contains unknown',
  ],
  [
    'shared memory of 0',
    (i) => (web(i).linuxParameters = { sharedMemorySize: 0 }),
    C,
    'sharedMemorySize must be a positive',
  ],
  [
    'tmpfs of size 0',
    (i) => (web(i).linuxParameters = { tmpfs: [{ containerPath: '/tmp', size: 0 }] }),
    C,
    "needs a positive 'size'",
  ],
  [
    'tmpfs without a path',
    (i) => (web(i).linuxParameters = { tmpfs: [{ containerPath: '', size: 8 }] }),
    C,
    "needs a 'containerPath'",
  ],
  [
    'device without a host path',
    (i) => (web(i).linuxParameters = { devices: [{ hostPath: '' }] }),
    C,
    "needs a 'hostPath'",
  ],
  ['negative maxSwap', (i) => (web(i).linuxParameters = { maxSwap: -1 }), C, 'maxSwap must be 0'],
  [
    'swappiness 101',
    (i) => (web(i).linuxParameters = { maxSwap: 10, swappiness: 101 }),
    C,
    'swappiness must be between 0 and 100',
  ],
  ['sysctl without a namespace', (i) => (web(i).systemControls = [{ value: '1' }]), C, "needs a 'namespace'"],
  [
    'net sysctl in host mode',
    (i) => {
      i.networkMode = 'host';
      web(i).portMappings = [{ containerPort: 80 }];
      web(i).systemControls = [{ namespace: 'net.core.somaxconn', value: '1024' }];
    },
    C,
    "cannot be set with network mode 'host'",
  ],
  [
    'IPC sysctl with host IPC',
    (i) => {
      i.ipcMode = 'host';
      web(i).systemControls = [{ namespace: 'kernel.shmmax', value: '1' }];
    },
    C,
    "cannot be set with ipcMode 'host'",
  ],
];

refuses('container rules', cases);
