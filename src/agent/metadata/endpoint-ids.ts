/**
 * Endpoint ids: the unguessable part of a container's metadata URL, which is all that tells the endpoint
 * who is asking (any container on the bridge can reach the endpoint; only the container itself, and the
 * host's root, know its id).
 *
 * An id is HMAC-SHA256(agent secret, task ARN + container name), cut to 128 bits and written as a UUID,
 * the form the ECS agent's ids have. Derived rather than random, because the id is baked into the
 * container's environment at create time and must keep working for the container's whole life:
 * - nothing per container is persisted, so there is no window where a container exists whose id was lost
 *   (the agent killed between `docker create` and saving a random id would leave it with a dead URL);
 * - after an agent restart the same ids come out of the same secret, with no migration of saved state;
 * - looking an id up needs only the engine's task list, which is the source of truth anyway.
 * The secret (32 random bytes, `<data dir>/metadata-secret`, mode 0600) is made once per data directory; a
 * new one changes every id, so only running containers of the old data directory would be affected.
 */
import { createHmac, randomBytes } from 'node:crypto';
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
import { join } from 'node:path';
import type { AcsContainer } from '../../acs/payload.js';
import { ConfigError } from '../../util/options.js';
import type { ContainerState, TaskState } from '../tasks/contracts.js';

export const SECRET_FILE = 'metadata-secret';
/** 256 bits: the HMAC key's full strength. */
const SECRET_BYTES = 32;
/** 128 bits of the HMAC: as many as a UUID holds, far beyond guessing at 60 requests a second. */
const ID_BYTES = 16;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** The agent's secret for endpoint ids, made on first use. */
export function loadOrCreateSecret(dataDir: string): Buffer {
  const file = join(dataDir, SECRET_FILE);
  let hex: string | undefined;
  try {
    hex = readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`);
    }
  }
  if (hex !== undefined) {
    if (!new RegExp(`^[0-9a-f]{${SECRET_BYTES * 2}}$`).test(hex)) {
      throw new ConfigError(
        `${file} is damaged. Remove it: the agent makes a new one, and containers started before then ` +
          'lose their task metadata endpoint until they are replaced.',
      );
    }
    return Buffer.from(hex, 'hex');
  }
  const secret = randomBytes(SECRET_BYTES);
  mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  const temporary = `${file}.tmp`;
  rmSync(temporary, { force: true });
  const fd = openSync(temporary, 'wx', FILE_MODE);
  try {
    writeSync(fd, `${secret.toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  return secret;
}

/** The endpoint id of one container of one task. */
export function endpointId(secret: Buffer, taskArn: string, containerName: string): string {
  // NUL cannot occur in an ARN or a container name, so different pairs never hash the same input.
  const hex = createHmac('sha256', secret)
    .update(`${taskArn}\0${containerName}`)
    .digest()
    .subarray(0, ID_BYTES)
    .toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What an endpoint id stands for, read from the engine's state at the time of the request. */
export interface Located {
  readonly state: TaskState;
  readonly definition: AcsContainer;
  /** Undefined until the engine has a state for the container (it has one from the task's acceptance on). */
  readonly container: ContainerState | undefined;
}

/**
 * Finds the container an id belongs to among the engine's tasks. Ids are computed once per container and
 * kept in a reverse index; an id not in the index rebuilds it (a task arrived since), so an unknown id
 * costs one HMAC per container, and is rate limited like any request.
 */
export class EndpointIndex {
  readonly #secret: Buffer;
  readonly #tasks: () => ReadonlyMap<string, TaskState>;
  #byId = new Map<string, { readonly taskArn: string; readonly name: string }>();
  readonly #ids = new Map<string, string>();

  constructor(secret: Buffer, tasks: () => ReadonlyMap<string, TaskState>) {
    this.#secret = secret;
    this.#tasks = tasks;
  }

  idOf(taskArn: string, containerName: string): string {
    const key = `${taskArn}\0${containerName}`;
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = endpointId(this.#secret, taskArn, containerName);
      this.#ids.set(key, id);
    }
    return id;
  }

  /** Whether the id was known at the last rebuild; cheap, for rate limiting before any lookup work. */
  has(id: string): boolean {
    return this.#byId.has(id);
  }

  resolve(id: string): Located | undefined {
    let entry = this.#byId.get(id);
    if (entry === undefined) {
      this.#rebuild();
      entry = this.#byId.get(id);
    }
    if (entry === undefined) return undefined;
    const state = this.#tasks().get(entry.taskArn);
    const definition = state?.task.containers.find((c) => c.name === entry.name);
    if (state === undefined || definition === undefined) return undefined;
    return { state, definition, container: state.containers.find((c) => c.name === entry.name) };
  }

  #rebuild(): void {
    const byId = new Map<string, { taskArn: string; name: string }>();
    const live = new Set<string>();
    for (const [taskArn, state] of this.#tasks()) {
      for (const c of state.task.containers) {
        byId.set(this.idOf(taskArn, c.name), { taskArn, name: c.name });
        live.add(`${taskArn}\0${c.name}`);
      }
    }
    // Tasks the engine has forgotten (cleaned up) leave the cache too.
    for (const key of this.#ids.keys()) if (!live.has(key)) this.#ids.delete(key);
    this.#byId = byId;
  }
}
