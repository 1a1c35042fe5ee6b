/**
 * From one HTTP request to one awsJson1.1 response: authenticate, find the operation named by
 * X-Amz-Target, validate the body against the service model, run the handler, and shape the result or
 * the error. Anything unexpected becomes a 500 whose details stay in the server log under the request id.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Access, Operation, ServiceDefinition } from '../operations/operation.js';
import type { Caller } from '../auth/caller.js';
import type { RequestContext, Runtime } from '../context.js';
import type { SignedRequest } from '../../sigv4/sigv4.js';
import type { Arns } from '../../ecs/arn.js';
import {
  checkContentType,
  errorResponse,
  parseBody,
  parseTarget,
  successResponse,
  withoutNullMembers,
  type WireResponse,
} from '../../ecs/aws-json.js';
import { ApiError, isApiError } from '../../ecs/errors.js';
import { validateInput } from '../../ecs/model/index.js';
import type { Store } from '../store/types.js';

export interface DispatcherDeps {
  readonly services: readonly ServiceDefinition[];
  readonly authenticate: (req: SignedRequest, signingNames: readonly string[]) => Promise<Caller>;
  /** For `instance-key` operations: verifies the managed instance's own signature. */
  readonly authenticateInstance: (req: SignedRequest) => Promise<Caller>;
  readonly store: Store;
  readonly arns: Arns;
  readonly log: Logger;
  readonly now: () => Date;
  readonly runtime: Runtime;
}

/** The caller of an `anonymous` operation: nobody in particular. */
const ANONYMOUS: Caller = { accessKeyId: '', principalArn: 'anonymous', kind: 'anonymous' };

interface Found {
  readonly service: ServiceDefinition;
  readonly operation: Operation<unknown, unknown>;
}

export type Dispatcher = (req: SignedRequest) => Promise<WireResponse>;

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const byPrefix = new Map(deps.services.map((s) => [s.targetPrefix, s]));
  const signingNames = [...new Set(deps.services.map((s) => s.signingName))];

  return async (req) => {
    const requestId = randomUUID();
    const target = headerValue(req, 'x-amz-target');
    const started = performance.now();
    // The operation decides how its caller authenticates, so it is looked up first; a target naming none
    // is answered only after SigV4 authentication, as before (an unsigned one gets
    // MissingAuthenticationTokenException, like AWS's front door).
    const found = findOperation(byPrefix, target);
    try {
      const caller = await authenticate(req, found?.operation.access);
      const { operation: name } = parseTarget(target);
      if (!found) throw new ApiError('UnknownOperationException', `Unknown operation ${target}.`);
      const { service, operation } = found;
      checkContentType(headerValue(req, 'content-type'));
      const input = parseBody(Buffer.from(req.body).toString('utf8'));
      validateInput(service.model, name, input);
      if (operation.access === 'admin' && caller.kind !== 'admin') {
        throw new ApiError(
          'AccessDeniedException',
          `User: ${caller.principalArn} is not authorized to perform: ${service.signingName}:${name}`,
        );
      }
      const ctx: RequestContext = {
        store: deps.store,
        arns: deps.arns,
        caller,
        requestId,
        log: deps.log.child({ requestId, op: name }),
        now: deps.now,
        runtime: deps.runtime,
        header: (name) => headerValue(req, name),
      };
      const output = await operation.handle(withoutNullMembers(input), ctx);
      deps.log.debug({ requestId, target, ms: performance.now() - started }, 'request');
      return successResponse(requestId, output);
    } catch (e) {
      if (isApiError(e)) {
        deps.log.debug({ requestId, target, code: e.code, msg: e.message }, 'request failed');
        return errorResponse(requestId, e);
      }
      deps.log.error({ requestId, target, err: e }, 'unexpected failure');
      return errorResponse(
        requestId,
        new ApiError(
          found?.service.internalErrorCode ?? 'ServerException',
          `An internal error occurred (request id ${requestId}). Try again.`,
        ),
      );
    }
  };

  function authenticate(req: SignedRequest, access: Access | undefined): Promise<Caller> {
    if (access === 'anonymous') return Promise.resolve(ANONYMOUS);
    if (access === 'instance-key') return deps.authenticateInstance(req);
    return deps.authenticate(req, signingNames);
  }
}

function findOperation(
  byPrefix: ReadonlyMap<string, ServiceDefinition>,
  target: string | undefined,
): Found | undefined {
  const dot = target?.lastIndexOf('.') ?? -1;
  if (target === undefined || dot <= 0) return undefined;
  const service = byPrefix.get(target.slice(0, dot));
  const operation = service?.operations.get(target.slice(dot + 1));
  return service && operation ? { service, operation } : undefined;
}

function headerValue(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
