/**
 * What the agent does when a start-up step fails: try again with backoff (the control plane is unreachable
 * or busy, or the cluster does not exist yet), or stop with an exit code and a message naming the fix. The
 * exit codes follow the ECS agent's: 5 is "terminal" — a systemd unit should not restart the agent on it
 * (`RestartPreventExitStatus=2 5`), since only a person can fix what caused it.
 */
import { ECSServiceException } from '@aws-sdk/client-ecs';
import { ConfigError } from '../util/options.js';
import { IdentityError, InstanceCredentialsRefusedError } from './identity/index.js';

export const EXIT_CODES = {
  /** Stopped on request (SIGTERM, SIGINT). */
  stopped: 0,
  /** An unexpected failure (a bug); a restart may help. */
  failed: 1,
  /** The options, the config file or the data directory need fixing. */
  config: 2,
  /** The control plane refuses this host (activation, credentials, container instance): terminal, as ECS's 5. */
  refused: 5,
} as const;

export type Verdict =
  | { readonly kind: 'retry'; readonly message: string }
  | { readonly kind: 'exit'; readonly code: number; readonly message: string };

/** ECS errors that no retry fixes; the ECS agent exits on them as well. */
const TERMINAL_ECS_ERRORS = [
  'ClientException',
  'InvalidParameterException',
  'AccessDeniedException',
  'AttributeLimitExceededException',
];

export interface StartupContext {
  readonly endpoint: string;
  readonly clusterName: string;
  readonly dataDir: string;
}

export function classifyStartupError(e: unknown, ctx: StartupContext): Verdict {
  if (e instanceof ConfigError) return { kind: 'exit', code: EXIT_CODES.config, message: e.message };
  if (e instanceof IdentityError) {
    if (e.code !== 'registration-failed')
      return { kind: 'exit', code: EXIT_CODES.config, message: e.message };
    return e.retriable
      ? { kind: 'retry', message: e.message }
      : { kind: 'exit', code: EXIT_CODES.refused, message: e.message };
  }
  if (e instanceof InstanceCredentialsRefusedError) {
    return { kind: 'exit', code: EXIT_CODES.refused, message: refusalAdvice(e, ctx.dataDir) };
  }
  if (e instanceof ECSServiceException) {
    if (e.name === 'ClusterNotFoundException') {
      // The ECS agent creates the `default` cluster itself; instance credentials may not, so say who can.
      return {
        kind: 'retry',
        message:
          `Cluster '${ctx.clusterName}' does not exist at ${ctx.endpoint}. Create it with administrator ` +
          `credentials (aws ecs create-cluster --cluster-name ${ctx.clusterName} --endpoint-url ${ctx.endpoint}), ` +
          'or start the agent with --cluster naming an existing one; the agent keeps trying meanwhile.',
      };
    }
    if (TERMINAL_ECS_ERRORS.includes(e.name)) {
      return {
        kind: 'exit',
        code: EXIT_CODES.refused,
        message: `${e.name}: ${e.message}${e.name === 'ClientException' ? ` (the saved state is ${ctx.dataDir}/state.json)` : ''}`,
      };
    }
    return { kind: 'retry', message: `${e.name}: ${e.message}` };
  }
  // No answer at all (refused connection, timeout, DNS): the control plane may come back.
  return { kind: 'retry', message: e instanceof Error ? e.message : String(e) };
}

/** The refusal, and how a person gets the host back into the cluster. */
export function refusalAdvice(e: InstanceCredentialsRefusedError, dataDir: string): string {
  const fix =
    e.reason === 'fingerprint-mismatch'
      ? `This data directory was copied from another host or directory. Remove ${dataDir}/identity.json and ` +
        `${dataDir}/state.json and start the agent with a new activation.`
      : `To rejoin, remove ${dataDir}/identity.json and ${dataDir}/state.json and start the agent with a new activation.`;
  return `${e.message} ${fix}`;
}
