import { Hash } from '@smithy/hash-node';

/**
 * SHA-256 in the shape `@smithy/signature-v4` takes: a constructor with only an optional HMAC key.
 * `@smithy/hash-node` (Berth's declared dependency) exports the generic node:crypto-backed
 * `Hash(algorithm, key)`, so this fixes the algorithm.
 */
export class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}
