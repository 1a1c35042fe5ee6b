/**
 * The agent's saved registration, `<data dir>/state.json`: which container instance it is, in which cluster,
 * for which managed instance. On a restart the agent re-registers with the saved ARN and gets the same
 * container instance back, as the ECS agent does from its checkpoint (`agent.db` metadata). Written whole or
 * not at all (temporary file, fsync, rename), readable by the agent's user only.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../util/options.js';
import { writeFileDurably } from './tasks/durable-file.js';

export const STATE_FILE = 'state.json';
/**
 * The newest payload seqNum / task manifest timeline the agent acted on (ECS's `task-manifest-seq-num`
 * metadata), beside state.json rather than in it: it changes with every payload, while state.json changes
 * only on registration, and it belongs to one container instance, whose ARN it names.
 */
export const MANIFEST_SEQ_FILE = 'task-manifest-seq.json';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export interface AgentState {
  /** The cluster's name. */
  readonly cluster: string;
  readonly containerInstanceArn: string;
  /** The managed instance (`mi-...`) that registered it; a new identity means a new container instance. */
  readonly ec2InstanceId?: string;
}

/** The saved state, or undefined before the first registration. */
export function readAgentState(dataDir: string): AgentState | undefined {
  const file = join(dataDir, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let parsed: Partial<Record<keyof AgentState, unknown>> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<Record<keyof AgentState, unknown>>;
  } catch {
    parsed = undefined;
  }
  const { cluster, containerInstanceArn, ec2InstanceId } = parsed ?? {};
  if (
    typeof cluster !== 'string' ||
    typeof containerInstanceArn !== 'string' ||
    (ec2InstanceId !== undefined && typeof ec2InstanceId !== 'string')
  ) {
    // Registering afresh would leave the old container instance behind as a second one: a person decides.
    throw new ConfigError(
      `${file} is damaged. Restore it from a backup, or remove it to register this host as a new container instance.`,
    );
  }
  return { cluster, containerInstanceArn, ...(ec2InstanceId !== undefined && { ec2InstanceId }) };
}

export function writeAgentState(dataDir: string, state: AgentState): void {
  mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  const file = join(dataDir, STATE_FILE);
  const temporary = `${file}.tmp`;
  rmSync(temporary, { force: true });
  const fd = openSync(temporary, 'wx', FILE_MODE);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/**
 * The saved container instance to re-register, if it belongs to this cluster and this managed instance;
 * otherwise the agent registers a new one (ECS resets its state when the instance id changes).
 */
export function reusableArn(
  saved: AgentState | undefined,
  clusterName: string,
  ec2InstanceId: string,
): string | undefined {
  if (saved === undefined) return undefined;
  if (saved.cluster !== clusterName) return undefined;
  if (saved.ec2InstanceId !== undefined && saved.ec2InstanceId !== ec2InstanceId) return undefined;
  return saved.containerInstanceArn;
}

/** The saved manifest sequence number of this container instance; 0 when none (or another instance's). */
export async function readManifestSeqNum(dataDir: string, containerInstanceArn: string): Promise<number> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, MANIFEST_SEQ_FILE), 'utf8')) as {
      containerInstanceArn?: unknown;
      seqNum?: unknown;
    } | null;
    const seqNum = parsed?.seqNum;
    if (
      parsed?.containerInstanceArn === containerInstanceArn &&
      typeof seqNum === 'number' &&
      Number.isFinite(seqNum)
    )
      return seqNum;
  } catch {
    // Absent or damaged: losing it only lets one stale manifest through (see tasks/manifest-timeline.ts).
  }
  return 0;
}

export function writeManifestSeqNum(
  dataDir: string,
  containerInstanceArn: string,
  seqNum: number,
): Promise<void> {
  return writeFileDurably(
    dataDir,
    MANIFEST_SEQ_FILE,
    `${JSON.stringify({ containerInstanceArn, seqNum })}\n`,
  );
}
