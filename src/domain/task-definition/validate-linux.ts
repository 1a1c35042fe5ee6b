/** linuxParameters and systemControls of a container: Docker's host-level knobs. */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { TaskFacts } from './facts.js';
import { containerError } from './facts.js';

/** The capability names ECS accepts (KernelCapabilities.add doc), Docker's names without the CAP_ prefix. */
export const LINUX_CAPABILITIES: ReadonlySet<string> = new Set([
  'ALL',
  'AUDIT_CONTROL',
  'AUDIT_WRITE',
  'BLOCK_SUSPEND',
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'IPC_LOCK',
  'IPC_OWNER',
  'KILL',
  'LEASE',
  'LINUX_IMMUTABLE',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'MKNOD',
  'NET_ADMIN',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_CHROOT',
  'SYS_MODULE',
  'SYS_NICE',
  'SYS_PACCT',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'SYSLOG',
  'WAKE_ALARM',
]);

/** Sysctls of the IPC namespace (Docker's list), which a task sharing the host's IPC namespace cannot set. */
const IPC_SYSCTL = /^(kernel\.(msgmax|msgmnb|msgmni|sem|shmall|shmmax|shmmni|shm_rmid_forced)|fs\.mqueue\.)/;

export function validateLinuxParameters(c: ContainerDefinition): void {
  const lp = c.linuxParameters;
  if (lp === undefined) return;
  for (const list of ['add', 'drop'] as const) {
    for (const cap of lp.capabilities?.[list] ?? []) {
      if (!LINUX_CAPABILITIES.has(cap)) {
        throw containerError(
          c,
          `linuxParameters.capabilities.${list} contains unknown capability '${cap}'. ` +
            "Use Docker's names without the CAP_ prefix, e.g. NET_ADMIN or SYS_PTRACE.",
        );
      }
    }
  }
  if (lp.sharedMemorySize !== undefined && lp.sharedMemorySize <= 0) {
    throw containerError(c, `linuxParameters.sharedMemorySize must be a positive number of MiB.`);
  }
  for (const t of lp.tmpfs ?? []) {
    if (!t.containerPath)
      throw containerError(c, "Every linuxParameters.tmpfs mount needs a 'containerPath'.");
    if (t.size === undefined || t.size <= 0) {
      throw containerError(
        c,
        `linuxParameters.tmpfs mount '${t.containerPath}' needs a positive 'size' in MiB.`,
      );
    }
  }
  for (const d of lp.devices ?? []) {
    if (!d.hostPath) throw containerError(c, "Every linuxParameters.devices entry needs a 'hostPath'.");
  }
  if (lp.maxSwap !== undefined && lp.maxSwap < 0) {
    throw containerError(c, 'linuxParameters.maxSwap must be 0 (no swap) or a positive number of MiB.');
  }
  if (lp.swappiness !== undefined && (lp.swappiness < 0 || lp.swappiness > 100)) {
    throw containerError(c, `linuxParameters.swappiness must be between 0 and 100; got ${lp.swappiness}.`);
  }
}

export function validateSystemControls(c: ContainerDefinition, facts: TaskFacts): void {
  for (const s of c.systemControls ?? []) {
    const ns = s.namespace;
    if (!ns)
      throw containerError(c, "Every systemControls entry needs a 'namespace' (e.g. net.core.somaxconn).");
    // The task would change the host's own kernel settings; Docker refuses these, so refuse them up front.
    if (facts.networkMode === 'host' && ns.startsWith('net.')) {
      throw containerError(c, `systemControls '${ns}' cannot be set with network mode 'host'.`);
    }
    if (facts.ipcMode === 'host' && IPC_SYSCTL.test(ns)) {
      throw containerError(c, `systemControls '${ns}' cannot be set with ipcMode 'host'.`);
    }
  }
}
