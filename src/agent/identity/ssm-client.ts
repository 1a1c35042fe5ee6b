/**
 * The two SSM agent operations (RegisterManagedInstance and RequestManagedInstanceRoleToken) as awsJson1.1
 * calls to the control plane. By hand because no AWS SDK client knows these internal operations or the
 * instance-key signature; everything else the agent calls goes through @aws-sdk clients.
 */
import { callAwsJson, type AwsJsonCall } from '../aws-json.js';

export const SSM_TARGET_PREFIX = 'AmazonSSM';

export type SsmCall = Omit<AwsJsonCall, 'targetPrefix' | 'peer' | 'alsoTransient'>;

/** Rejects with an AwsJsonCallError: transient for no answer, a server fault or throttling. */
export function callSsm(call: SsmCall): Promise<Record<string, unknown>> {
  return callAwsJson({ ...call, targetPrefix: SSM_TARGET_PREFIX, peer: 'the control plane' });
}
