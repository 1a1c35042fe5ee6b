/**
 * The `awslogs` log configuration of a container, as ECS and Docker define its options, and how Berth runs
 * it: the container is created with Docker's bounded `json-file` driver (so `docker logs` keeps working and
 * the local copy stays small) and the agent ships what it writes (capture.ts). The awslogs options travel
 * to the capture on a container label, so an agent that restarts finds them again with the container.
 *
 * Options (moby `daemon/logger/awslogs/cloudwatchlogs.go`, ECS `using_awslogs`):
 * - `awslogs-group` (required), `awslogs-region`, `awslogs-endpoint` (default: the agent's control plane).
 * - stream: `awslogs-stream-prefix` gives `prefix/container-name/task-id` (ECS); else `awslogs-stream`;
 *   else the container's id, as Docker and ECS on EC2 name it without a prefix.
 * - `awslogs-create-group`: CreateLogGroup when CreateLogStream says the group is missing.
 * - `awslogs-datetime-format` (strftime subset) or `awslogs-multiline-pattern` (a regex), not both: a line
 *   that matches starts a new event; the lines until the next match join it.
 * - `mode` / `max-buffer-size`: Docker's generic options, handed to json-file; the agent itself never
 *   blocks a container (it reads what Docker already wrote).
 * Pure.
 */

export const LOG_DRIVER = 'awslogs';
/** Carries the awslogs options (JSON) from create to capture. */
export const AWSLOGS_LABEL = 'berth.awslogs';
/** The local copy Docker keeps of an awslogs container's output: at most 5 × 10 MiB. */
export const LOCAL_COPY = { 'max-size': '10m', 'max-file': '5' } as const;

const KNOWN = new Set([
  'awslogs-group',
  'awslogs-region',
  'awslogs-endpoint',
  'awslogs-stream',
  'awslogs-stream-prefix',
  'awslogs-create-group',
  'awslogs-create-stream',
  'awslogs-datetime-format',
  'awslogs-multiline-pattern',
  'awslogs-credentials-endpoint',
  'awslogs-force-flush-interval-seconds',
  'awslogs-max-buffered-events',
  'awslogs-format',
  'mode',
  'max-buffer-size',
  'tag',
]);
const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

export class AwsLogsOptionError extends Error {
  override readonly name = 'AwsLogsOptionError';
}

/** Where one container's lines go and how they are cut into events. */
export interface AwsLogsTarget {
  readonly group: string;
  readonly stream: string;
  readonly createGroup: boolean;
  /** Undefined: the agent's own region. */
  readonly region: string | undefined;
  /** Undefined: the agent's control plane. */
  readonly endpoint: string | undefined;
  /** A line matching this starts a new event; undefined: every line is an event. */
  readonly multiline: RegExp | undefined;
}

/** Checks the options at create, so a bad one fails the container with a reason instead of losing its lines. */
export function checkAwsLogsOptions(options: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new AwsLogsOptionError(`unknown log opt '${key}' for log driver awslogs`);
  }
  const group = options['awslogs-group'];
  if (group === undefined || group === '') {
    throw new AwsLogsOptionError('the awslogs log driver needs the option awslogs-group');
  }
  if (!GROUP_NAME.test(group)) {
    throw new AwsLogsOptionError(
      `awslogs-group '${group}' is not a log group name (1-512 of a-zA-Z0-9._-/#)`,
    );
  }
  const create = options['awslogs-create-group'];
  if (create !== undefined && parseBool(create) === undefined) {
    throw new AwsLogsOptionError(`awslogs-create-group must be true or false, not '${create}'`);
  }
  const mode = options.mode;
  if (mode !== undefined && mode !== 'blocking' && mode !== 'non-blocking') {
    throw new AwsLogsOptionError(`mode must be blocking or non-blocking, not '${mode}'`);
  }
  const endpoint = options['awslogs-endpoint'];
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new AwsLogsOptionError(`awslogs-endpoint must be an http:// or https:// URL, not '${endpoint}'`);
  }
  multilinePattern(options);
}

/**
 * The json-file LogConfig an awslogs container is created with, its options checked; `mode` and
 * `max-buffer-size` keep their meaning for Docker's copier.
 */
export function localLogConfig(options: Readonly<Record<string, string>>): {
  Type: 'json-file';
  Config: Record<string, string>;
} {
  checkAwsLogsOptions(options);
  const config: Record<string, string> = { ...LOCAL_COPY };
  if (options.mode !== undefined) config.mode = options.mode;
  if (options['max-buffer-size'] !== undefined) config['max-buffer-size'] = options['max-buffer-size'];
  return { Type: 'json-file', Config: config };
}

/** The target of a container from its label, its name and its task; throws AwsLogsOptionError. */
export function awsLogsTarget(
  options: Readonly<Record<string, string>>,
  container: { readonly id: string; readonly name: string; readonly taskArn: string },
): AwsLogsTarget {
  checkAwsLogsOptions(options);
  const prefix = options['awslogs-stream-prefix'];
  const taskId = container.taskArn.slice(container.taskArn.lastIndexOf('/') + 1);
  const stream =
    prefix !== undefined && prefix !== ''
      ? `${prefix}/${container.name}/${taskId}`
      : (options['awslogs-stream'] ?? container.id);
  return {
    group: options['awslogs-group'] ?? '',
    stream,
    createGroup: parseBool(options['awslogs-create-group'] ?? 'false') === true,
    region: options['awslogs-region'],
    endpoint: options['awslogs-endpoint'],
    multiline: multilinePattern(options),
  };
}

function parseBool(text: string): boolean | undefined {
  // Go's strconv.ParseBool, which moby uses.
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

function multilinePattern(options: Readonly<Record<string, string>>): RegExp | undefined {
  const datetime = options['awslogs-datetime-format'];
  const pattern = options['awslogs-multiline-pattern'];
  if (datetime !== undefined && pattern !== undefined) {
    throw new AwsLogsOptionError(
      'you cannot configure log opt awslogs-datetime-format and awslogs-multiline-pattern at the same time',
    );
  }
  try {
    if (datetime !== undefined) return new RegExp(`^${strftimeToRegex(datetime)}`);
    if (pattern !== undefined) return new RegExp(pattern);
  } catch (e) {
    throw new AwsLogsOptionError(`awslogs multi-line pattern is not a valid regex: ${(e as Error).message}`);
  }
  return undefined;
}

/** moby's strftime subset (`strftimeToRegex`); other text is matched literally. */
const STRFTIME: Readonly<Record<string, string>> = {
  a: '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)',
  A: '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)',
  w: '[0-6]',
  d: '(?:0[1-9]|[1,2][0-9]|3[0,1])',
  b: '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)',
  B: '(?:January|February|March|April|May|June|July|August|September|October|November|December)',
  m: '(?:0[1-9]|1[0-2])',
  Y: '\\d{4}',
  y: '\\d{2}',
  H: '(?:[0,1][0-9]|2[0-3])',
  I: '(?:0[0-9]|1[0-2])',
  p: '[A,P]M',
  M: '[0-5][0-9]',
  S: '[0-5][0-9]',
  f: '\\d{6}',
  z: '[+-]\\d{4}',
  Z: '[A-Z]{1,4}T',
  j: '(?:0[0-9][1-9]|[1,2][0-9][0-9]|3[0-5][0-9]|36[0-6])',
  L: '\\.\\d{3}',
};

export function strftimeToRegex(format: string): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format.charAt(i);
    const directive = ch === '%' ? STRFTIME[format.charAt(i + 1)] : undefined;
    if (directive !== undefined) {
      out += directive;
      i++;
    } else out += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}
