/**
 * Request verification for SSM's agent-side operations: a signature made with a managed instance's own key
 * (`sigv4/instance-key.ts`), checked against the public key it registered with.
 */
import { ApiError } from '../../ecs/errors.js';
import { parseInstancePublicKey, verifyInstanceKeySignature } from '../../sigv4/instance-key.js';
import type { SignedRequest } from '../../sigv4/sigv4.js';
import type { ManagedInstanceStore } from '../store/types.js';
import type { Caller } from './caller.js';

export type AuthenticateInstance = (req: SignedRequest) => Promise<Caller>;

/**
 * Turns an instance-key-signed request into the Caller of a managed instance. A deregistered instance still
 * holds its key, but it is refused here: deregistration is final.
 */
export function createInstanceKeyAuthenticator(
  instances: ManagedInstanceStore,
  o: { readonly now: () => Date; readonly region: string; readonly accountId: string },
): AuthenticateInstance {
  return async (req) => {
    let deregistered = false;
    const verified = await verifyInstanceKeySignature(
      req,
      async (instanceId) => {
        const record = await instances.get(instanceId);
        deregistered = record?.deregisteredAt !== undefined;
        return record === undefined ? undefined : parseInstancePublicKey(record.publicKey);
      },
      { now: o.now(), regions: [o.region] },
    );
    if (deregistered) throw deregisteredInstance(verified.instanceId);
    return {
      accessKeyId: verified.instanceId,
      principalArn: `arn:aws:ssm:${o.region}:${o.accountId}:managed-instance/${verified.instanceId}`,
      kind: 'instance',
      instanceId: verified.instanceId,
    };
  };
}

export function deregisteredInstance(instanceId: string): ApiError {
  return new ApiError(
    'InvalidInstanceId',
    `Managed instance ${instanceId} is deregistered and can no longer obtain credentials. Register the host ` +
      'again with a new activation (remove the agent identity in its data directory first).',
  );
}
