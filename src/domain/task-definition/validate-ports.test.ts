import type { Case } from './testing/cases.js';
import { C, refuses, side, web } from './testing/cases.js';

const cases: Case[] = [
  // Ports.
  [
    'container port 0',
    (i) => (web(i).portMappings = [{ containerPort: 0 }]),
    C,
    'containerPort must be between 1 and 65535',
  ],
  [
    'container port 70000',
    (i) => (web(i).portMappings = [{ containerPort: 70000 }]),
    C,
    'containerPort must be between',
  ],
  [
    'host port 70000',
    (i) => (web(i).portMappings = [{ containerPort: 80, hostPort: 70000 }]),
    C,
    'hostPort must be between 0 and 65535',
  ],
  [
    'port mapping without a port',
    (i) => (web(i).portMappings = [{ protocol: 'tcp' }]),
    C,
    "needs a 'containerPort' or 'containerPortRange'",
  ],
  [
    'host mode with another host port',
    (i) => (i.networkMode = 'host'),
    C,
    'When networkMode=host, the host ports and container ports',
  ],
  [
    'awsvpc with another host port',
    (i) => {
      i.requiresCompatibilities = ['EC2'];
      i.networkMode = 'awsvpc';
    },
    C,
    'When networkMode=awsvpc',
  ],
  ['ports in none mode', (i) => (i.networkMode = 'none'), C, "not allowed with network mode 'none'"],
  [
    'one host port for two containers',
    (i) => (side(i).portMappings = [{ containerPort: 9090, hostPort: 8080 }]),
    C,
    "Host port 8080/tcp is used by both container 'web' and container 'sidecar'",
  ],
  [
    'one container port mapped twice',
    (i) => (web(i).portMappings = [{ containerPort: 80 }, { containerPort: 80, hostPort: 81 }]),
    C,
    'Container port 80/tcp is mapped more than once',
  ],
  [
    'port range backwards',
    (i) => (web(i).portMappings = [{ containerPortRange: '200-100' }]),
    C,
    "must be 'start-end'",
  ],
  [
    'port range with a container port',
    (i) => (web(i).portMappings = [{ containerPortRange: '1-9', containerPort: 1 }]),
    C,
    'takes neither',
  ],
  [
    'port range in host mode',
    (i) => {
      i.networkMode = 'host';
      web(i).portMappings = [{ containerPortRange: '9000-9010' }];
    },
    C,
    "containerPortRange needs network mode 'bridge' or 'awsvpc'",
  ],
  [
    'port name in capitals',
    (i) => (web(i).portMappings = [{ containerPort: 80, name: 'Web' }]),
    C,
    "Port mapping name 'Web' must be",
  ],
  [
    'port name used twice',
    (i) => {
      web(i).portMappings = [{ containerPort: 80, name: 'http' }];
      side(i).portMappings = [{ containerPort: 81, name: 'http' }];
    },
    C,
    "Port mapping name 'http' is used more than once",
  ],
  // Links, dependencies, volumesFrom.
  [
    'links in host mode',
    (i) => ((i.networkMode = 'host'), (web(i).portMappings = []), (web(i).links = ['sidecar'])),
    C,
    "links are only supported with network mode 'bridge'",
  ],
  [
    'link to an unknown container',
    (i) => (web(i).links = ['db']),
    C,
    "links names container 'db', which is not in this task definition",
  ],
  ['link to itself', (i) => (web(i).links = ['web']), C, 'It cannot name itself in links.'],
  ['malformed link', (i) => (web(i).links = ['a:b:c']), C, "Link 'a:b:c' must be 'name' or 'name:alias'"],
  [
    'dependsOn an unknown container',
    (i) => (web(i).dependsOn = [{ containerName: 'db', condition: 'START' }]),
    C,
    "dependsOn names container 'db'",
  ],
  [
    'dependsOn itself',
    (i) => (web(i).dependsOn = [{ containerName: 'web', condition: 'START' }]),
    C,
    'cannot name itself in dependsOn',
  ],
  [
    'HEALTHY without a health check',
    (i) => {
      side(i).healthCheck = undefined;
      web(i).dependsOn = [{ containerName: 'sidecar', condition: 'HEALTHY' }];
    },
    C,
    "'sidecar' has no healthCheck",
  ],
  [
    'COMPLETE on an essential container',
    (i) => {
      side(i).essential = true;
      web(i).dependsOn = [{ containerName: 'sidecar', condition: 'COMPLETE' }];
    },
    C,
    "Set 'essential': false on 'sidecar'",
  ],
  [
    'dependency cycle',
    (i) => {
      web(i).dependsOn = [{ containerName: 'sidecar', condition: 'START' }];
      side(i).dependsOn = [{ containerName: 'web', condition: 'START' }];
    },
    C,
    'cycle (web -> sidecar -> web)',
  ],
  [
    'cycle through links and volumesFrom',
    (i) => {
      web(i).links = ['sidecar'];
      side(i).volumesFrom = [{ sourceContainer: 'web' }];
    },
    C,
    'cycle (web -> sidecar -> web)',
  ],
  [
    'volumesFrom an unknown container',
    (i) => (web(i).volumesFrom = [{ sourceContainer: 'db' }]),
    C,
    "volumesFrom names container 'db'",
  ],
  [
    'volumesFrom without a source',
    (i) => (web(i).volumesFrom = [{ readOnly: true }]),
    C,
    "needs a 'sourceContainer'",
  ],
];

refuses('port and reference rules', cases);
