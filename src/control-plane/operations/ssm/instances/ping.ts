/**
 * A managed instance's PingStatus: Online while its agent is heard from. The agent gateway reports each sign
 * of life with `markInstancePing`; an instance not heard from within the ping timeout is ConnectionLost.
 */
import type { ManagedInstanceRecord, Store } from '../../../store/types.js';
import type { PingStatus } from '../types.js';

/** Records that the agent of `instanceId` was heard from at `at`. An unknown instance is ignored. */
export async function markInstancePing(store: Store, instanceId: string, at: Date): Promise<void> {
  await store.managedInstances.recordPing(instanceId, at);
}

export function pingStatus(m: ManagedInstanceRecord, now: Date, pingTimeoutMs: number): PingStatus {
  if (m.deregisteredAt !== undefined) return 'Inactive';
  const last = m.lastPingDateTime?.getTime();
  return last !== undefined && now.getTime() - last <= pingTimeoutMs ? 'Online' : 'ConnectionLost';
}

/** Whether a managed instance exists and is still registered (e.g. before admitting its agent's session). */
export async function isManagedInstanceActive(store: Store, instanceId: string): Promise<boolean> {
  const m = await store.managedInstances.get(instanceId);
  return m !== undefined && m.deregisteredAt === undefined;
}
