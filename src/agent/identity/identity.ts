/**
 * The agent's identity: an Ed25519 key pair made on first start and the managed instance id the control plane
 * gave it, kept in `<data dir>/identity.json` (mode 0600, in a directory created 0700). Later starts reuse it:
 * no second registration, no second instance.
 *
 * The key is written before registering and the instance id after, so an agent killed in between (or whose
 * registration answer was lost) registers again with the same key, and the control plane, recognising the
 * key, answers with the same instance without counting the activation twice.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { computeFingerprint, MACHINE_ID_FILES } from './fingerprint.js';
import type { HostFacts } from './host-facts.js';
import { registerManagedInstance, RegistrationError } from './registration-client.js';
import type { FetchLike } from '../aws-json.js';

export const IDENTITY_FILE = 'identity.json';
/** Only the agent's user may read the private key. */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
const FORMAT = 1;

export interface AgentIdentity {
  readonly instanceId: string;
  readonly region: string;
  readonly activationId: string;
  /** This machine's current fingerprint (equal to the registered one, or loading fails). */
  readonly fingerprint: string;
  readonly privateKey: KeyObject;
}

interface IdentityFile {
  readonly format: number;
  readonly privateKey: string;
  readonly fingerprint: string;
  readonly activationId: string;
  /** Absent while registration has not completed. */
  readonly instanceId?: string;
  readonly region?: string;
}

export type IdentityErrorCode = 'corrupt' | 'fingerprint-changed' | 'not-registered' | 'registration-failed';

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    /** For registration failures: whether trying again later may work (the control plane was unreachable). */
    readonly retriable = false,
  ) {
    super(message);
  }
}

export interface EnsureIdentityOptions {
  readonly dataDir: string;
  readonly endpoint: string;
  /** Needed only when the host is not registered yet. */
  readonly activationId?: string;
  readonly activationCode?: string;
  readonly host?: HostFacts;
  readonly fetch?: FetchLike;
  readonly signal?: AbortSignal;
  /** Where the machine id is read; tests point it elsewhere to play another machine. */
  readonly machineIdFiles?: readonly string[];
}

/** The registered identity, registering first when the data directory has none. */
export async function ensureIdentity(
  o: EnsureIdentityOptions,
): Promise<{ readonly identity: AgentIdentity; readonly registered: boolean }> {
  const dataDir = resolve(o.dataDir);
  const file = join(dataDir, IDENTITY_FILE);
  const fingerprint = computeFingerprint(dataDir, o.machineIdFiles ?? MACHINE_ID_FILES);
  const stored = readIdentityFile(file);
  if (stored?.instanceId !== undefined)
    return { identity: registeredIdentity(stored, fingerprint, file), registered: false };

  if (!o.activationId || !o.activationCode) {
    throw new IdentityError(
      'not-registered',
      `This host is not registered yet (no ${file}). Give the activation id and code from ` +
        '`aws ssm create-activation` (--activation-id and --activation-code).',
    );
  }
  // A pending key from an interrupted registration is reused, unless it was made on another machine.
  const pending: IdentityFile =
    stored !== undefined && stored.fingerprint === fingerprint
      ? { ...stored, activationId: o.activationId }
      : { format: FORMAT, privateKey: newPrivateKeyPem(), fingerprint, activationId: o.activationId };
  mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  writeIdentityFile(file, pending);

  const privateKey = createPrivateKey(pending.privateKey);
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
  let registration;
  try {
    registration = await registerManagedInstance(
      o.endpoint,
      {
        activationId: o.activationId,
        activationCode: o.activationCode,
        publicKey,
        fingerprint,
        ...(o.host && { host: o.host }),
      },
      { ...(o.fetch && { fetch: o.fetch }), ...(o.signal && { signal: o.signal }) },
    );
  } catch (e) {
    if (e instanceof RegistrationError)
      throw new IdentityError('registration-failed', e.message, e.retriable);
    throw e;
  }
  const complete: IdentityFile = {
    ...pending,
    instanceId: registration.instanceId,
    region: registration.region,
  };
  writeIdentityFile(file, complete);
  return { identity: registeredIdentity(complete, fingerprint, file), registered: true };
}

/** The registered identity in `dataDir`, or undefined when registration has not completed there. */
export function loadIdentity(
  dataDir: string,
  machineIdFiles: readonly string[] = MACHINE_ID_FILES,
): AgentIdentity | undefined {
  const dir = resolve(dataDir);
  const file = join(dir, IDENTITY_FILE);
  const stored = readIdentityFile(file);
  if (stored?.instanceId === undefined) return undefined;
  return registeredIdentity(stored, computeFingerprint(dir, machineIdFiles), file);
}

function registeredIdentity(stored: IdentityFile, fingerprint: string, file: string): AgentIdentity {
  // The control plane would refuse credentials anyway; saying so here names the cause and the fix.
  if (stored.fingerprint !== fingerprint) {
    throw new IdentityError(
      'fingerprint-changed',
      `${file} belongs to managed instance ${stored.instanceId ?? '?'} registered on another machine or in ` +
        'another directory (the fingerprint differs), so it cannot be used here. To register this host on its ' +
        `own, remove ${file} and start the agent with a new activation.`,
    );
  }
  return {
    instanceId: stored.instanceId ?? '',
    region: stored.region ?? '',
    activationId: stored.activationId,
    fingerprint,
    privateKey: createPrivateKey(stored.privateKey),
  };
}

function newPrivateKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

function readIdentityFile(file: string): IdentityFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IdentityError('corrupt', `cannot read ${file}: ${(e as Error).message}`);
  }
  // A key someone else could read is a key someone else may have: tighten it rather than keep using it so.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, FILE_MODE);
  let parsed: Partial<IdentityFile>;
  try {
    parsed = JSON.parse(text) as Partial<IdentityFile>;
  } catch {
    parsed = {};
  }
  const ok =
    parsed.format === FORMAT &&
    typeof parsed.privateKey === 'string' &&
    typeof parsed.fingerprint === 'string' &&
    typeof parsed.activationId === 'string' &&
    (parsed.instanceId === undefined ||
      (typeof parsed.instanceId === 'string' && typeof parsed.region === 'string'));
  if (!ok) {
    throw new IdentityError(
      'corrupt',
      `${file} is not an agent identity. Restore it from a backup, or remove it and register the host again.`,
    );
  }
  return parsed as IdentityFile;
}

/** Written whole or not at all: a temporary file, flushed, then renamed over the old one. */
function writeIdentityFile(file: string, identity: IdentityFile): void {
  const temporary = `${file}.tmp`;
  rmSync(temporary, { force: true });
  const fd = openSync(temporary, 'wx', FILE_MODE);
  try {
    writeSync(fd, `${JSON.stringify(identity, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}
