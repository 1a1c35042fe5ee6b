/**
 * The agent's hardware fingerprint: a SHA-256 over this machine's id and the absolute path of the agent's data
 * directory. It is sent at registration and with every credential request, and the control plane refuses
 * credentials when it changes.
 *
 * Why these two inputs: the data directory holds the private key, so whoever copies it holds the identity.
 * A copy onto another machine (a cloned VM image, a restored backup) has another /etc/machine-id; a copy
 * into another directory on the same machine (a second agent started from a copy) has another path. Either
 * way the fingerprint differs and the clone cannot obtain credentials, so two hosts can never act as one
 * container instance. SSM's agent guards against clones the same way, with a fuzzier hardware hash.
 *
 * Without a readable machine id (some containers), only the path counts; the identity then follows the
 * directory, which is the best that can be done.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** systemd's, then D-Bus's older location of the same id. */
export const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'] as const;

/** Bumped if the inputs ever change, so an old fingerprint can never equal a new one by accident. */
const FINGERPRINT_VERSION = 'berth-fingerprint-v1';

export function readMachineId(files: readonly string[] = MACHINE_ID_FILES): string {
  for (const file of files) {
    try {
      const id = readFileSync(file, 'utf8').trim();
      if (id !== '') return id;
    } catch {
      // Not there or not readable: try the next one.
    }
  }
  return '';
}

export function computeFingerprint(
  dataDir: string,
  machineIdFiles: readonly string[] = MACHINE_ID_FILES,
): string {
  return createHash('sha256')
    .update(`${FINGERPRINT_VERSION}\n${readMachineId(machineIdFiles)}\n${resolve(dataDir)}`, 'utf8')
    .digest('hex');
}
