import type { NetworkMode, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';

/** ECS's default network mode on Linux when the request names none. */
export const DEFAULT_NETWORK_MODE: NetworkMode = 'bridge';

export function networkModeOf(input: RegisterTaskDefinitionRequest): NetworkMode {
  return input.networkMode ?? DEFAULT_NETWORK_MODE;
}
