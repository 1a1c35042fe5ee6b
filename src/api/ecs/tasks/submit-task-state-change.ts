/**
 * SubmitTaskStateChange (agent-only): an agent reports a task's status with its containers' changes. The
 * control plane moves the task forward (`domain/task-report.ts`) and answers `{acknowledgment}`; a report that
 * changes nothing (a resend, or a late one) is acknowledged just the same.
 */
import type { SubmitTaskStateChangeRequest, SubmitTaskStateChangeResponse } from '@aws-sdk/client-ecs';
import type { ContainerReport } from '../../../domain/task-report.js';
import { defineOperation } from '../../operation.js';
import {
  ACKNOWLEDGMENT,
  containerReport,
  extensionOf,
  reportedStatus,
  submitReport,
  timestampOf,
} from './state-change.js';

export const submitTaskStateChange = defineOperation<
  SubmitTaskStateChangeRequest,
  SubmitTaskStateChangeResponse
>({
  name: 'SubmitTaskStateChange',
  access: 'agent',
  async handle(input, ctx) {
    const extension = extensionOf(input);
    const containers: ContainerReport[] = [];
    for (const c of input.containers ?? []) {
      const report = containerReport(
        c,
        c.containerName === undefined ? undefined : extension.health.get(c.containerName),
      );
      if (report !== undefined) containers.push(report);
    }
    for (const [containerName, healthStatus] of extension.health) {
      if (!containers.some((c) => c.containerName === containerName))
        containers.push({ containerName, healthStatus });
    }
    const status = reportedStatus('Task status', input.status);
    const pullStartedAt = timestampOf(input.pullStartedAt);
    const pullStoppedAt = timestampOf(input.pullStoppedAt);
    const executionStoppedAt = timestampOf(input.executionStoppedAt);
    await submitReport(ctx, 'SubmitTaskStateChange', input.cluster, input.task, {
      ...(status !== undefined && { status }),
      ...(input.reason !== undefined && { reason: input.reason }),
      containers,
      ...(pullStartedAt !== undefined && { pullStartedAt }),
      ...(pullStoppedAt !== undefined && { pullStoppedAt }),
      ...(executionStoppedAt !== undefined && { executionStoppedAt }),
      ...(extension.startedAt !== undefined && { startedAt: extension.startedAt }),
      ...(extension.at !== undefined && { at: extension.at }),
    });
    return { acknowledgment: ACKNOWLEDGMENT };
  },
});
