/**
 * SubmitContainerStateChange (agent-only): an agent reports one container's change on its own. The task's
 * status does not move; the container's does (forward only), with its runtime id, exit code, reason and
 * network bindings. Berth's agent reports containers inside SubmitTaskStateChange, as ECS's agent does; this
 * operation is here for agents that use it.
 */
import type {
  SubmitContainerStateChangeRequest,
  SubmitContainerStateChangeResponse,
} from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { ACKNOWLEDGMENT, containerReport, submitReport } from '../../../tasks/apply-report.js';

export const submitContainerStateChange = defineOperation<
  SubmitContainerStateChangeRequest,
  SubmitContainerStateChangeResponse
>({
  name: 'SubmitContainerStateChange',
  access: 'agent',
  async handle(input, ctx) {
    const report = containerReport(input, undefined);
    if (report === undefined) throw invalidParameter('containerName is required.');
    await submitReport(ctx, 'SubmitContainerStateChange', input.cluster, input.task, {
      containers: [report],
    });
    return { acknowledgment: ACKNOWLEDGMENT };
  },
});
