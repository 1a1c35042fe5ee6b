import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashToken } from '../../../auth/access-keys.js';
import { INSTANCE_KEY_TYPE, parseInstancePublicKey } from '../../../../sigv4/instance-key.js';
import { ApiError } from '../../../../ecs/errors.js';
import type { ActivationRecord, ManagedInstanceRecord, Store } from '../../../store/types.js';
import { defineOperation } from '../../operation.js';
import { isExpired } from '../activations/view.js';
import { invalidParameters } from '../common.js';
import type { RegisterManagedInstanceRequest, RegisterManagedInstanceResult } from '../types.js';

/**
 * RegisterManagedInstance, called by an agent on its first start with no credentials at all: the activation
 * code is the credential. In one transaction it checks the activation (exists, code matches, not expired,
 * below its limit), counts the registration and creates the managed instance; any refusal leaves nothing
 * created and nothing counted.
 *
 * A retry with the same public key (the agent keeps its key pair before it registers, so one whose answer was
 * lost sends the same key again) gets the same instance back without counting again.
 */
export const registerManagedInstance = defineOperation<
  RegisterManagedInstanceRequest,
  RegisterManagedInstanceResult
>({
  name: 'RegisterManagedInstance',
  access: 'anonymous',
  async handle(input, ctx) {
    const key = parseInstancePublicKey(input.PublicKey);
    if (key === undefined || input.PublicKeyType !== INSTANCE_KEY_TYPE) {
      throw invalidParameters(
        `PublicKey must be a base64 DER SubjectPublicKeyInfo of an ${INSTANCE_KEY_TYPE} key, with PublicKeyType ${INSTANCE_KEY_TYPE}.`,
      );
    }
    // One spelling per key, so that the same key can never be registered twice under two encodings.
    const publicKey = key.export({ format: 'der', type: 'spki' }).toString('base64');
    const instanceId = await ctx.store.transaction(async (tx) => {
      const activation = await tx.activations.get(input.ActivationId);
      if (activation === undefined || !codeMatches(activation, input.ActivationCode)) {
        throw refused('Activation id or code is not valid. Check both, or create a new activation.');
      }
      const existing = await tx.managedInstances.findByPublicKey(publicKey);
      if (existing !== undefined) return sameRegistration(existing, activation, input);
      const now = ctx.now();
      if (isExpired(activation, now)) {
        throw refused(
          `Activation ${activation.activationId} has expired (at ${activation.expirationDate.toISOString()}). ` +
            'Create a new activation.',
        );
      }
      if (!(await tx.activations.countRegistration(activation.activationId))) {
        throw refused(
          `Activation ${activation.activationId} has reached its registration limit of ` +
            `${activation.registrationLimit}. Create a new activation, or deregister hosts you no longer use.`,
        );
      }
      const id = await unusedInstanceId(tx);
      await tx.managedInstances.put(newInstance(id, activation, publicKey, input, now));
      return id;
    });
    ctx.log.info({ instanceId, activationId: input.ActivationId }, 'managed instance registered');
    return { InstanceId: instanceId, Region: ctx.arns.region };
  },
});

function refused(message: string): ApiError {
  return new ApiError('InvalidActivation', message);
}

function codeMatches(activation: ActivationRecord, code: string): boolean {
  const a = Buffer.from(activation.codeHash, 'hex');
  const b = Buffer.from(hashToken(code), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function sameRegistration(
  existing: ManagedInstanceRecord,
  activation: ActivationRecord,
  input: RegisterManagedInstanceRequest,
): string {
  if (
    existing.activationId === activation.activationId &&
    existing.fingerprint === input.Fingerprint &&
    existing.deregisteredAt === undefined
  ) {
    return existing.instanceId;
  }
  throw invalidParameters(
    `This public key already belongs to managed instance ${existing.instanceId}. A host registers again ` +
      'with a new key pair: remove the agent identity in its data directory first.',
  );
}

/** `mi-` and 17 hex digits (68 random bits), as SSM's ids. */
async function unusedInstanceId(tx: Store): Promise<string> {
  for (;;) {
    const id = `mi-${randomBytes(9).toString('hex').slice(0, 17)}`;
    if ((await tx.managedInstances.get(id)) === undefined) return id;
  }
}

function newInstance(
  instanceId: string,
  activation: ActivationRecord,
  publicKey: string,
  input: RegisterManagedInstanceRequest,
  now: Date,
): ManagedInstanceRecord {
  return {
    instanceId,
    activationId: activation.activationId,
    iamRole: activation.iamRole,
    ...(activation.defaultInstanceName !== undefined &&
      activation.defaultInstanceName !== '' && { name: activation.defaultInstanceName }),
    publicKey,
    publicKeyType: INSTANCE_KEY_TYPE,
    fingerprint: input.Fingerprint,
    registrationDate: now,
    ...(input.Hostname !== undefined && { computerName: input.Hostname }),
    ...(input.IPAddress !== undefined && { ipAddress: input.IPAddress }),
    ...(input.PlatformName !== undefined && { platformName: input.PlatformName }),
    ...(input.PlatformVersion !== undefined && { platformVersion: input.PlatformVersion }),
    ...(input.AgentVersion !== undefined && { agentVersion: input.AgentVersion }),
  };
}
