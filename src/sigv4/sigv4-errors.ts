/**
 * The errors SigV4 verification raises, worded as AWS's own front door words them (the Coral messages the
 * SDKs surface), because these strings are what users paste into a search engine.
 *
 * None of them carries a secret: no secret key, no session token, no signature, no canonical request (AWS
 * echoes the canonical request on a mismatch, but it would contain a signed session token).
 */
import { ApiError } from '../ecs/errors.js';

export function missingAuthenticationToken(): ApiError {
  return new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
}

export function incompleteSignature(message: string): ApiError {
  return new ApiError('IncompleteSignatureException', message);
}

export function invalidSignature(message: string): ApiError {
  return new ApiError('InvalidSignatureException', message);
}

export function signatureMismatch(): ApiError {
  return invalidSignature(
    'The request signature we calculated does not match the signature you provided. ' +
      'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
}

export function unrecognizedClient(): ApiError {
  return new ApiError(
    'UnrecognizedClientException',
    'The security token included in the request is invalid.',
  );
}
