/**
 * SubmitTaskStateChange (agent-only): an agent reports a task's status with its containers' changes. The
 * control plane moves the task forward (`domain/task-report.ts`) and answers `{acknowledgment}`; a report that
 * changes nothing (a resend, or a late one) is acknowledged just the same. Berth's agent adds its `berth`
 * member (`state-change-extension.ts`): the host's times, health, restart counts, and the report's `seq`,
 * with which the report is recorded once in the state change record.
 */
import type { SubmitTaskStateChangeRequest, SubmitTaskStateChangeResponse } from '@aws-sdk/client-ecs';
import type { ContainerReport } from '../../../../domain/task-report.js';
import { defineOperation } from '../../operation.js';
import { recordedContainer } from '../../../tasks/record-report.js';
import {
  ACKNOWLEDGMENT,
  containerReport,
  reportedStatus,
  submitReport,
  timestampOf,
} from '../../../tasks/apply-report.js';
import { extensionOf } from '../../../tasks/report-extension.js';

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
      const name = c.containerName;
      const report = containerReport(
        c,
        name === undefined ? undefined : extension.health.get(name),
        name === undefined ? undefined : extension.restartCounts.get(name),
      );
      if (report !== undefined) containers.push(report);
    }
    // The record keeps the containers the report names, as the agent's journal does.
    const recorded = containers.map(recordedContainer);
    // Containers the extension speaks of without a change of their own (the agent reports only RUNNING
    // and STOPPED ones): their health and restart count still count.
    for (const containerName of new Set([...extension.health.keys(), ...extension.restartCounts.keys()])) {
      if (containers.some((c) => c.containerName === containerName)) continue;
      const healthStatus = extension.health.get(containerName);
      const restartCount = extension.restartCounts.get(containerName);
      containers.push({
        containerName,
        ...(healthStatus !== undefined && { healthStatus }),
        ...(restartCount !== undefined && { restartCount }),
      });
    }
    const status = reportedStatus('Task status', input.status);
    const pullStartedAt = timestampOf(input.pullStartedAt);
    const pullStoppedAt = timestampOf(input.pullStoppedAt);
    const executionStoppedAt = timestampOf(input.executionStoppedAt);
    await submitReport(
      ctx,
      'SubmitTaskStateChange',
      input.cluster,
      input.task,
      {
        ...(status !== undefined && { status }),
        ...(input.reason !== undefined && { reason: input.reason }),
        containers,
        ...(pullStartedAt !== undefined && { pullStartedAt }),
        ...(pullStoppedAt !== undefined && { pullStoppedAt }),
        ...(executionStoppedAt !== undefined && { executionStoppedAt }),
        ...(extension.startedAt !== undefined && { startedAt: extension.startedAt }),
        ...(extension.at !== undefined && { at: extension.at }),
      },
      extension.seq === undefined ? undefined : { seq: extension.seq, containers: recorded },
    );
    return { acknowledgment: ACKNOWLEDGMENT };
  },
});
