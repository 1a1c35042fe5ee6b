import type { ActivationRecord } from '../../../store/types.js';
import type { RequestContext } from '../../../context.js';
import { activationArn, fromStoredTags } from '../common.js';
import type { Activation } from '../types.js';

/** An activation as DescribeActivations shows it: never its code, and `Expired` as of now. */
export async function activationView(ctx: RequestContext, a: ActivationRecord): Promise<Activation> {
  return {
    ActivationId: a.activationId,
    ...(a.description !== undefined && { Description: a.description }),
    ...(a.defaultInstanceName !== undefined && { DefaultInstanceName: a.defaultInstanceName }),
    IamRole: a.iamRole,
    RegistrationLimit: a.registrationLimit,
    RegistrationsCount: a.registrationsCount,
    ExpirationDate: a.expirationDate,
    Expired: isExpired(a, ctx.now()),
    CreatedDate: a.createdDate,
    Tags: fromStoredTags(await ctx.store.tags.list(activationArn(ctx, a.activationId))),
  };
}

export function isExpired(a: ActivationRecord, now: Date): boolean {
  return a.expirationDate.getTime() <= now.getTime();
}
