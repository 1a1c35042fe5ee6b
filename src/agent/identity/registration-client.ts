/**
 * RegisterManagedInstance from the agent's side: the activation id and code, the public half of the key
 * pair, the fingerprint and the host's facts, sent without any credentials (the code is the credential).
 */
import { AwsJsonCallError, type FetchLike } from '../aws-json.js';
import { callSsm } from './ssm-client.js';
import type { HostFacts } from './host-facts.js';

export interface RegistrationRequest {
  readonly activationId: string;
  readonly activationCode: string;
  /** Base64 DER SubjectPublicKeyInfo of the instance's Ed25519 key. */
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly host?: HostFacts;
}

export interface Registration {
  readonly instanceId: string;
  readonly region: string;
}

/** Why registration failed, worded for the person running the agent; `retriable` for network trouble. */
export class RegistrationError extends Error {
  override readonly name = 'RegistrationError';
  constructor(
    message: string,
    /** The control plane's error type, e.g. `InvalidActivation`, or `NetworkError`. */
    readonly code: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

export async function registerManagedInstance(
  endpoint: string,
  request: RegistrationRequest,
  options: { readonly fetch?: FetchLike; readonly signal?: AbortSignal } = {},
): Promise<Registration> {
  const h = request.host ?? {};
  let out: Record<string, unknown>;
  try {
    out = await callSsm({
      endpoint,
      operation: 'RegisterManagedInstance',
      body: {
        ActivationId: request.activationId,
        ActivationCode: request.activationCode,
        PublicKey: request.publicKey,
        PublicKeyType: 'Ed25519',
        Fingerprint: request.fingerprint,
        ...(h.hostname !== undefined && { Hostname: h.hostname }),
        ...(h.platformName !== undefined && { PlatformName: h.platformName }),
        ...(h.platformVersion !== undefined && { PlatformVersion: h.platformVersion }),
        ...(h.ipAddress !== undefined && { IPAddress: h.ipAddress }),
        ...(h.agentVersion !== undefined && { AgentVersion: h.agentVersion }),
      },
      ...(options.fetch && { fetch: options.fetch }),
      ...(options.signal && { signal: options.signal }),
    });
  } catch (e) {
    if (!(e instanceof AwsJsonCallError)) throw e;
    const what =
      e.code === 'NetworkError'
        ? `Registration failed: ${e.message}. Check --endpoint and the network.`
        : e.code === 'InvalidActivation'
          ? `Registration refused by ${endpoint}: ${e.message.replace(/^InvalidActivation: /, '')}`
          : `Registration with ${endpoint} failed: ${e.message}`;
    throw new RegistrationError(what, e.code, e.transient);
  }
  const { InstanceId: instanceId, Region: region } = out;
  if (typeof instanceId !== 'string' || !/^mi-[0-9a-f]{17}$/.test(instanceId) || typeof region !== 'string') {
    throw new RegistrationError(
      `Registration with ${endpoint} returned no managed instance id: is --endpoint a Berth control plane?`,
      'InvalidResponse',
      false,
    );
  }
  return { instanceId, region };
}
