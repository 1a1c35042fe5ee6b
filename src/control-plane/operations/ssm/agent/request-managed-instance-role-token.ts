import { timingSafeEqual } from 'node:crypto';
import { issueAccessKey } from '../../../auth/access-keys.js';
import { deregisteredInstance } from '../../../auth/instance-key.js';
import { ApiError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import type {
  RequestManagedInstanceRoleTokenRequest,
  RequestManagedInstanceRoleTokenResult,
} from '../types.js';

/**
 * Keys that expired less than this long ago are kept, so that a client still signing with them is told
 * ExpiredTokenException (which SDKs take as "refresh your credentials") rather than
 * UnrecognizedClientException; older ones are deleted as the instance asks for new ones, so the key table
 * does not grow by one row per instance every rotation, forever.
 */
export const EXPIRED_KEY_RETENTION_MS = 60 * 60_000;

/**
 * RequestManagedInstanceRoleToken: a managed instance that proved possession of its key (the dispatcher
 * checked the signature) and sends its registered fingerprint gets fresh temporary credentials for the
 * activation's role. Earlier credentials stay valid until they expire, so rotation never interrupts callers.
 */
export const requestManagedInstanceRoleToken = defineOperation<
  RequestManagedInstanceRoleTokenRequest,
  RequestManagedInstanceRoleTokenResult
>({
  name: 'RequestManagedInstanceRoleToken',
  access: 'instance-key',
  async handle(input, ctx) {
    const instanceId = ctx.caller.instanceId ?? '';
    const now = ctx.now();
    // One transaction with the registration check: a concurrent deregistration either refuses this request
    // or revokes the key it issued.
    const key = await ctx.store.transaction(async (tx) => {
      const instance = await tx.managedInstances.get(instanceId);
      if (instance === undefined || instance.deregisteredAt !== undefined)
        throw deregisteredInstance(instanceId);
      if (!same(instance.fingerprint, input.Fingerprint)) {
        throw new ApiError(
          'AccessDeniedException',
          `Fingerprint does not match the one managed instance ${instanceId} registered with: its identity was ` +
            'copied from another machine or data directory. Register this host with its own activation.',
        );
      }
      await tx.accessKeys.deleteExpiredByInstance(
        instanceId,
        new Date(now.getTime() - EXPIRED_KEY_RETENTION_MS),
      );
      // The role session ARN STS would give: the role's name (without its path) and the instance as session.
      const roleName = instance.iamRole.split('/').pop() ?? instance.iamRole;
      return issueAccessKey(tx.accessKeys, ctx.runtime.secretBox, {
        kind: 'instance',
        instanceId,
        principalArn: `arn:aws:sts::${ctx.arns.accountId}:assumed-role/${roleName}/${instanceId}`,
        lifetimeMs: ctx.runtime.credentialLifetimeMs,
        now,
      });
    });
    ctx.log.debug({ instanceId, accessKeyId: key.accessKeyId }, 'instance credentials issued');
    return {
      AccessKeyId: key.accessKeyId,
      SecretAccessKey: key.secretAccessKey,
      SessionToken: key.sessionToken ?? '',
      TokenExpirationDate: key.expiresAt ?? now,
      UpdateKeyPair: false,
    };
  },
});

function same(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
