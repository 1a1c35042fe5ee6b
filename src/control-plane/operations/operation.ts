/**
 * What an API operation is: a name, who may call it, and a handler from validated input to output.
 * One file per operation defines one of these; `operations/<service>/index.ts` lists them.
 */
import type { ErrorCode } from '../../ecs/errors.js';
import type { ServiceModel } from '../../ecs/model/index.js';
import type { RequestContext } from '../context.js';

/**
 * Who may call an operation, and how the request must be authenticated:
 * - `admin`: SigV4 with administrator keys only;
 * - `agent`: SigV4 with administrator keys or instance credentials (their own resources only; the operation
 *   checks which);
 * - `anonymous`: no signature at all (RegisterManagedInstance, whose activation code is the credential);
 * - `instance-key`: signed with a managed instance's private key (`auth/instance-key.ts`).
 */
export type Access = 'admin' | 'agent' | 'anonymous' | 'instance-key';

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
  /** The service's own name for an unexpected failure; ECS's `ServerException` when unset. */
  readonly internalErrorCode?: ErrorCode;
}
