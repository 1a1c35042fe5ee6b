import { randomInt, randomUUID } from 'node:crypto';
import { hashToken } from '../../../auth/access-keys.js';
import type { ActivationRecord } from '../../../store/types.js';
import { defineOperation } from '../../operation.js';
import { activationArn, invalidParameters, timestampOf, toStoredTags } from '../common.js';
import type { CreateActivationRequest, CreateActivationResult } from '../types.js';

/** SSM's default: an activation registers one host unless told otherwise. */
export const DEFAULT_REGISTRATION_LIMIT = 1;
/** SSM's default lifetime of an activation. */
export const DEFAULT_ACTIVATION_LIFETIME_MS = 24 * 3_600_000;
/** SSM's longest: an activation code is a bearer secret, so it must not live for long. */
export const MAX_ACTIVATION_LIFETIME_MS = 30 * 24 * 3_600_000;

/**
 * 20 characters, as SSM's codes, from 62 letters and digits: about 119 bits, far beyond guessing, and easy to
 * paste into an install command.
 */
const CODE_LENGTH = 20;
const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function newActivationCode(): string {
  // randomInt draws without modulo bias.
  return Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

/**
 * CreateActivation: returns the id and the code once; only a SHA-256 of the code is stored, and the code is
 * never logged.
 */
export const createActivation = defineOperation<CreateActivationRequest, CreateActivationResult>({
  name: 'CreateActivation',
  access: 'admin',
  async handle(input, ctx) {
    const now = ctx.now();
    const iamRole = input.IamRole.trim();
    if (iamRole === '') {
      throw invalidParameters(
        'IamRole must name the IAM role for the managed instances, e.g. ecsAnywhereRole.',
      );
    }
    if (iamRole.startsWith('arn:')) {
      throw invalidParameters(
        `IamRole takes the role's name (e.g. ecsAnywhereRole or service-role/MyRole), not its ARN: '${iamRole}'.`,
      );
    }
    const expirationDate = expiration(input.ExpirationDate, now);
    const activation: ActivationRecord = {
      activationId: randomUUID(),
      codeHash: '',
      iamRole,
      ...(input.Description !== undefined && { description: input.Description }),
      ...(input.DefaultInstanceName !== undefined && { defaultInstanceName: input.DefaultInstanceName }),
      registrationLimit: input.RegistrationLimit ?? DEFAULT_REGISTRATION_LIMIT,
      registrationsCount: 0,
      expirationDate,
      createdDate: now,
    };
    const code = newActivationCode();
    await ctx.store.transaction(async (tx) => {
      await tx.activations.create({ ...activation, codeHash: hashToken(code) });
      if (input.Tags?.length)
        await tx.tags.put(activationArn(ctx, activation.activationId), toStoredTags(input.Tags));
    });
    ctx.log.info({ activationId: activation.activationId }, 'activation created');
    return { ActivationId: activation.activationId, ActivationCode: code };
  },
});

function expiration(value: number | string | undefined, now: Date): Date {
  if (value === undefined) return new Date(now.getTime() + DEFAULT_ACTIVATION_LIFETIME_MS);
  const date = timestampOf(value);
  if (Number.isNaN(date.getTime())) throw invalidParameters('ExpirationDate is not a valid time.');
  if (date.getTime() <= now.getTime()) {
    throw invalidParameters(
      `ExpirationDate ${date.toISOString()} is in the past. Give a time in the future, at most 30 days ahead.`,
    );
  }
  if (date.getTime() > now.getTime() + MAX_ACTIVATION_LIFETIME_MS) {
    throw invalidParameters(
      `ExpirationDate ${date.toISOString()} is more than 30 days ahead; an activation can be valid for at most 30 days.`,
    );
  }
  return date;
}
