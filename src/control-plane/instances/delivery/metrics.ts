/** Task delivery metrics, on the server's registry (see `gateway/metrics.ts` for why not the global one). */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface DeliveryMetrics {
  readonly payloadsSent: Counter;
  readonly ackSeconds: Histogram;
  readonly manifestsSent: Counter;
  readonly tasksToldToStop: Counter;
}

/**
 * An ack comes after the agent fsynced every task of the payload: a few milliseconds on an SSD, tens on an
 * SD card or a busy disk, plus the round trip (up to hundreds of milliseconds across a WAN). Beyond ten
 * seconds the payload is being resent anyway.
 */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createDeliveryMetrics(registry: Registry): DeliveryMetrics {
  const registers = [registry];
  return {
    payloadsSent: new Counter({
      name: 'berth_payloads_sent_total',
      help: 'PayloadMessages sent to agents (resends included).',
      registers,
    }),
    ackSeconds: new Histogram({
      name: 'berth_payload_ack_seconds',
      help: 'Time from sending a PayloadMessage to receiving its AckRequest.',
      buckets: ACK_BUCKETS,
      registers,
    }),
    manifestsSent: new Counter({
      name: 'berth_task_manifests_sent_total',
      help: 'TaskManifestMessages sent to agents.',
      registers,
    }),
    tasksToldToStop: new Counter({
      name: 'berth_stop_verification_stopped_tasks_total',
      help: 'Tasks agents were told to stop in answers to their stop verifications.',
      registers,
    }),
  };
}
