/** The agent's identity and credentials: what the agent process composes at start-up. */
export { ensureIdentity, loadIdentity, IdentityError, IDENTITY_FILE } from './identity.js';
export type { AgentIdentity, EnsureIdentityOptions, IdentityErrorCode } from './identity.js';
export {
  InstanceCredentials,
  InstanceCredentialsRefusedError,
  REFRESH_AT_REMAINING_FRACTION,
} from './credentials.js';
export type {
  InstanceCredentialIdentity,
  InstanceCredentialsOptions,
  RefusalReason,
  RotationListener,
} from './credentials.js';
export { computeFingerprint } from './fingerprint.js';
export { collectHostFacts } from './host-facts.js';
export type { HostFacts } from './host-facts.js';
export { registerManagedInstance, RegistrationError } from './registration-client.js';
export type { Registration, RegistrationRequest } from './registration-client.js';
export type { FetchLike } from '../aws-json.js';
