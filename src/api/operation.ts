/**
 * What an API operation is: a name, who may call it, and a handler from validated input to output.
 * One file per operation defines one of these; `api/<service>/index.ts` lists them.
 */
import type { Logger } from 'pino';
import type { Arns } from '../protocol/arn.js';
import type { ServiceModel } from '../protocol/model/index.js';
import type { Store } from '../store/types.js';

/** Who signed the request. */
export interface Caller {
  readonly accessKeyId: string;
  readonly principalArn: string;
  readonly kind: 'admin' | 'instance';
  /** For instance credentials: the managed instance (`mi-...`) the caller is. */
  readonly instanceId?: string;
}

export interface RequestContext {
  readonly store: Store;
  readonly arns: Arns;
  readonly caller: Caller;
  readonly requestId: string;
  readonly log: Logger;
  /** The clock; injected so tests can move time. */
  readonly now: () => Date;
}

/**
 * `admin`: administrator keys only. `agent`: also instance credentials (their own resources only; the
 * operation checks which).
 */
export type Access = 'admin' | 'agent';

export interface Operation<I = never, O = unknown> {
  readonly name: string;
  readonly access: Access;
  /** `input` has passed the service model's shape validation. */
  handle(input: I, ctx: RequestContext): Promise<O>;
}

/**
 * Operations are typed with their @aws-sdk input and output shapes; the registry holds them erased (method
 * parameters are bivariant). That is sound because the dispatcher validates every body against the service
 * model before calling `handle`.
 */
export function defineOperation<I, O>(op: Operation<I, O>): Operation<unknown, unknown> {
  return op;
}

export interface ServiceDefinition {
  /** The X-Amz-Target prefix, e.g. `AmazonEC2ContainerServiceV20141113`. */
  readonly targetPrefix: string;
  /** The SigV4 signing name, e.g. `ecs`. */
  readonly signingName: string;
  readonly model: ServiceModel;
  readonly operations: ReadonlyMap<string, Operation<unknown, unknown>>;
}
