import { REASONS } from '../reasons.js';
import type { Checker } from './checker.js';

/** ECS places tasks only on instances whose agent is connected (ContainerInstance.agentConnected doc). */
export const agentConnected: Checker = {
  name: 'agent-connected',
  check: (instance) => (instance.agentConnected ? undefined : REASONS.agent),
};
