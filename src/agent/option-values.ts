/**
 * One parser per option value, from wherever it came (a flag or variable gives text; the config file may
 * give JSON numbers, arrays and objects). A bad value becomes a ConfigError naming its source — the flag, the
 * variable, or the key in the file — and the fix.
 */
import { ConfigError, LOG_LEVELS, type LogLevel } from '../util/options.js';
import { ENV_VARS, FLAGS, MAX_CUSTOM_ATTRIBUTES, MAX_RESERVED_PORTS, type OptionName } from './options.js';

export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | {
      readonly kind: 'tcp';
      readonly protocol: 'http' | 'https';
      readonly host: string;
      readonly port: number;
    };

/** ECS's attribute rules (Attribute shape); the prefixes are the agent's own attributes. */
const ATTRIBUTE_NAME = /^[A-Za-z0-9\-_/\\.]{1,128}$/;
const ATTRIBUTE_VALUE = /^[A-Za-z0-9\-_.@/\\: ]{1,128}$/;
const RESERVED_ATTRIBUTE_PREFIXES = ['ecs.', 'com.amazonaws.ecs.'];
const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/([A-Za-z0-9_-]{1,255})$/;
/** SSM activation ids are UUIDs. */
const ACTIVATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Memory beyond this (1 PiB) is a typo, not a host. */
const MAX_RESERVED_MEMORY_MIB = 2 ** 30;

/** Where one value came from, worded for an error message. */
export type Source =
  | { readonly kind: 'flag' }
  | { readonly kind: 'env' }
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'default' };

export interface Picked {
  readonly value: unknown;
  readonly source: Source;
}

/** How a value's origin is named in messages: the flag, the variable, or the key in the file. */
function where(name: OptionName, source: Source): string {
  switch (source.kind) {
    case 'flag':
      return FLAGS[name];
    case 'env':
      return ENV_VARS[name];
    case 'file':
      return `"${name}" in ${source.file}`;
    case 'default':
      return `the default ${FLAGS[name]}`;
  }
}

export function invalid(name: OptionName, picked: Picked, rule: string): ConfigError {
  const shown = name === 'activationCode' ? '' : ` ${JSON.stringify(picked.value)}`;
  return new ConfigError(`${where(name, picked.source)}${shown} ${rule}.`);
}

export function text(name: OptionName, picked: Picked): string {
  if (typeof picked.value !== 'string') throw invalid(name, picked, 'must be a string');
  return picked.value.trim();
}

export function optionalText(name: OptionName, picked: Picked | undefined): string | undefined {
  if (picked === undefined) return undefined;
  const value = text(name, picked);
  if (value === '') throw invalid(name, picked, 'must not be empty');
  return value;
}

export function endpoint(picked: Picked | undefined): string {
  if (picked === undefined) {
    throw new ConfigError(
      `${FLAGS.endpoint} is required: the control plane's URL, e.g. ${FLAGS.endpoint} https://berth.example.com:4650 ` +
        `(or ${ENV_VARS.endpoint}, or "endpoint" in the config file).`,
    );
  }
  const value = text('endpoint', picked);
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw invalid(
      'endpoint',
      picked,
      'must be the http:// or https:// URL of the control plane, like https://berth.example.com:4650',
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function activationId(picked: Picked | undefined): string | undefined {
  const value = optionalText('activationId', picked);
  if (value !== undefined && picked !== undefined && !ACTIVATION_ID.test(value)) {
    throw invalid(
      'activationId',
      picked,
      'is not an activation id (a UUID, as `aws ssm create-activation` prints it)',
    );
  }
  return value;
}

export function reservedMemory(picked: Picked): number {
  const v = picked.value;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_RESERVED_MEMORY_MIB) {
    throw invalid('reservedMemory', picked, 'must be a whole number of MiB, like 256 (0 keeps nothing back)');
  }
  return n;
}

/** `22,2375`, `[22, 2375]` (ECS_RESERVED_PORTS's JSON form), an array in the file, or empty / `none`. */
export function portList(name: OptionName, picked: Picked): number[] {
  const v = picked.value;
  let items: unknown[];
  if (Array.isArray(v)) items = v;
  else if (typeof v === 'string') {
    const inner = v
      .trim()
      .replace(/^\[(.*)\]$/s, '$1')
      .trim();
    items = inner === '' || inner === 'none' ? [] : inner.split(',').map((s) => s.trim());
  } else throw invalid(name, picked, 'must be a comma-separated list of ports, like 22,2375');
  const ports: number[] = [];
  for (const item of items) {
    const n =
      typeof item === 'number'
        ? item
        : typeof item === 'string' && /^\d{1,5}$/.test(item)
          ? Number(item)
          : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw invalid(
        name,
        picked,
        `lists ${JSON.stringify(item)}, which is not a port (1-65535); give a list like 22,2375`,
      );
    }
    if (!ports.includes(n)) ports.push(n);
  }
  if (ports.length > MAX_RESERVED_PORTS) {
    throw invalid(
      name,
      picked,
      `lists ${ports.length} ports; a container instance may reserve at most ${MAX_RESERVED_PORTS}`,
    );
  }
  return ports;
}

/** `k=v,k2=v2`, a JSON object (ECS_INSTANCE_ATTRIBUTES's form), or an object in the file. */
export function attributes(picked: Picked): Record<string, string> {
  const v = picked.value;
  let pairs: [string, unknown][];
  if (typeof v === 'string' && v.trim().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw invalid('attributes', picked, 'is not valid JSON; give k=v,k2=v2 or {"k": "v"}');
    }
    return attributes({ value: parsed, source: picked.source });
  } else if (typeof v === 'string') {
    pairs = [];
    for (const part of v.split(',').map((p) => p.trim())) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      if (eq <= 0) throw invalid('attributes', picked, `has '${part}' without a value; give k=v,k2=v2`);
      pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
    }
  } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    pairs = Object.entries(v);
  } else throw invalid('attributes', picked, 'must be k=v,k2=v2 (in the config file: an object of strings)');

  const out: Record<string, string> = {};
  for (const [name, value] of pairs) {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalid('attributes', picked, `has the name '${name}': use 1-128 letters, digits, - _ . / or \\`);
    }
    if (RESERVED_ATTRIBUTE_PREFIXES.some((p) => name.startsWith(p))) {
      throw invalid(
        'attributes',
        picked,
        `has the name '${name}': names starting with ecs. or com.amazonaws.ecs. are the agent's own`,
      );
    }
    if (typeof value !== 'string' || !ATTRIBUTE_VALUE.test(value) || value !== value.trim()) {
      throw invalid(
        'attributes',
        picked,
        `has a bad value for '${name}': use 1-128 letters, digits, spaces and - _ . @ / \\ :`,
      );
    }
    out[name] = value;
  }
  if (Object.keys(out).length > MAX_CUSTOM_ATTRIBUTES) {
    throw invalid(
      'attributes',
      picked,
      `has ${Object.keys(out).length} attributes; a container instance may have at most ${MAX_CUSTOM_ATTRIBUTES}`,
    );
  }
  return out;
}

/** `HOST:PORT`, `:PORT`, `PORT`, `[IPv6]:PORT`, or `off`. */
export function introspection(picked: Picked): { readonly host: string; readonly port: number } | undefined {
  const value = text('introspectionListen', picked);
  if (value === 'off') return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*))?:?(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw invalid('introspectionListen', picked, 'must be HOST:PORT (like 127.0.0.1:51678) or off');
  }
  const host = m[1] ?? (m[2] === undefined || m[2] === '' ? '127.0.0.1' : m[2]);
  return { host, port };
}

/** `unix:///path`, an absolute socket path, or `tcp://` / `http://` / `https://HOST:PORT`, as Docker reads DOCKER_HOST. */
export function dockerEndpoint(picked: Picked): DockerEndpoint {
  const value = text('dockerHost', picked);
  if (value.startsWith('/')) return { kind: 'unix', socketPath: value };
  const m = /^(unix|tcp|http|https):\/\/(.+)$/.exec(value);
  if (m?.[1] === 'unix' && m[2]?.startsWith('/')) return { kind: 'unix', socketPath: m[2] };
  const hostPort = m?.[1] !== 'unix' ? /^([^:/]+|\[[0-9a-fA-F:.]+\]):(\d{1,5})\/?$/.exec(m?.[2] ?? '') : null;
  const port = Number(hostPort?.[2]);
  if (m && hostPort?.[1] !== undefined && port >= 1 && port <= 65535) {
    return { kind: 'tcp', protocol: m[1] === 'https' ? 'https' : 'http', host: hostPort[1], port };
  }
  throw invalid('dockerHost', picked, 'must be unix:///path/to/docker.sock or tcp://HOST:PORT');
}

export function clusterOption(picked: Picked): { cluster: string; clusterName: string } {
  const cluster = text('cluster', picked);
  const clusterName = CLUSTER_ARN.exec(cluster)?.[1] ?? (CLUSTER_NAME.test(cluster) ? cluster : undefined);
  if (clusterName === undefined) {
    throw invalid(
      'cluster',
      picked,
      'must be a cluster name (up to 255 letters, digits, - and _) or a cluster ARN',
    );
  }
  return { cluster, clusterName };
}

export function logLevelOption(picked: Picked): LogLevel {
  const level = text('logLevel', picked);
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw invalid('logLevel', picked, `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return level as LogLevel;
}

/** The smallest spool: room for a batch in flight (1 MiB) and the lines that arrive meanwhile. */
export const MIN_LOGS_SPOOL_BYTES = 4 * 1024 * 1024;
const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `256MiB`, `1g`, `512m`, or bytes; units are binary (Docker's `max-size` reads them the same way). */
export function spoolSize(picked: Picked): number {
  const v = picked.value;
  const m = typeof v === 'number' ? ['', String(v), ''] : /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(String(v));
  const unit = SIZE_UNITS[(m?.[2] ?? 'x').toLowerCase()];
  const bytes = unit === undefined ? NaN : Number(m?.[1]) * unit;
  if (!Number.isSafeInteger(bytes) || bytes < MIN_LOGS_SPOOL_BYTES) {
    throw invalid('logsSpoolSize', picked, 'must be a size of at least 4MiB, like 256MiB or 1GiB');
  }
  return bytes;
}
