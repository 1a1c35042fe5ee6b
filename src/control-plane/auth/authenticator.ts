/**
 * Turns a signed request into a Caller: SigV4 verification against the keys this control plane issued,
 * then the checks that only the key's record can answer (expiry, session token). Every request reads the key
 * afresh, so a revoked key stops working at once.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Caller } from './caller.js';
import { ApiError } from '../../ecs/errors.js';
import type { AccessKeyRecord, AccessKeyStore } from '../store/types.js';
import { hashToken } from './access-keys.js';
import type { SecretBox } from './secret-box.js';
import { verifySigV4, type SignedRequest } from '../../sigv4/sigv4.js';

export type Authenticate = (req: SignedRequest, signingNames: readonly string[]) => Promise<Caller>;

export function createAuthenticator(keys: AccessKeyStore, box: SecretBox, now: () => Date): Authenticate {
  return async (req, signingNames) => {
    let record: AccessKeyRecord | undefined;
    const verified = await verifySigV4(
      req,
      async (accessKeyId) => {
        record = await keys.get(accessKeyId);
        if (!record) return undefined;
        // Only a hash of a temporary key's token is stored, so the verifier is handed the presented token
        // when it is the right one (and none otherwise, which it refuses like a wrong one).
        const token = securityToken(req);
        const matching =
          record.sessionTokenHash !== undefined && token !== undefined && sessionTokenMatches(record, token);
        return {
          secretAccessKey: box.open(record.encryptedSecret),
          ...(matching && { sessionToken: token }),
        };
      },
      { now: now(), services: signingNames },
    );
    if (!record)
      throw new ApiError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    if (record.expiresAt !== undefined && record.expiresAt.getTime() <= now().getTime()) {
      throw new ApiError('ExpiredTokenException', 'The security token included in the request is expired');
    }
    if (!sessionTokenMatches(record, securityToken(req))) {
      throw new ApiError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }
    return {
      accessKeyId: verified.accessKeyId,
      principalArn: record.principalArn,
      kind: record.kind,
      ...(record.instanceId !== undefined && { instanceId: record.instanceId }),
    };
  };
}

function securityToken(req: SignedRequest): string | undefined {
  const header = req.headers['x-amz-security-token'];
  if (typeof header === 'string') return header;
  const query = new URL(req.url, 'http://localhost').searchParams.get('X-Amz-Security-Token');
  return query ?? undefined;
}

function sessionTokenMatches(record: AccessKeyRecord, token: string | undefined): boolean {
  if (record.sessionTokenHash === undefined) return token === undefined;
  if (token === undefined) return false;
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(record.sessionTokenHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
