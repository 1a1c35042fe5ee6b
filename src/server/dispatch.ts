/**
 * From one HTTP request to one awsJson1.1 response: authenticate, find the operation named by
 * X-Amz-Target, validate the body against the service model, run the handler, and shape the result or
 * the error. Anything unexpected becomes a 500 whose details stay in the server log under the request id.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Caller, RequestContext, ServiceDefinition } from '../api/operation.js';
import type { SignedRequest } from '../auth/sigv4.js';
import type { Arns } from '../protocol/arn.js';
import {
  checkContentType,
  errorResponse,
  parseBody,
  parseTarget,
  successResponse,
  type WireResponse,
} from '../protocol/aws-json.js';
import { ApiError, isApiError } from '../protocol/errors.js';
import { validateInput } from '../protocol/model/index.js';
import type { Store } from '../store/types.js';

export interface DispatcherDeps {
  readonly services: readonly ServiceDefinition[];
  readonly authenticate: (req: SignedRequest, signingNames: readonly string[]) => Promise<Caller>;
  readonly store: Store;
  readonly arns: Arns;
  readonly log: Logger;
  readonly now: () => Date;
}

export type Dispatcher = (req: SignedRequest) => Promise<WireResponse>;

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const byPrefix = new Map(deps.services.map((s) => [s.targetPrefix, s]));
  const signingNames = [...new Set(deps.services.map((s) => s.signingName))];

  return async (req) => {
    const requestId = randomUUID();
    const target = headerValue(req, 'x-amz-target');
    const started = performance.now();
    try {
      const caller = await deps.authenticate(req, signingNames);
      const { service: prefix, operation: name } = parseTarget(target);
      const service = byPrefix.get(prefix);
      const operation = service?.operations.get(name);
      if (!service || !operation)
        throw new ApiError('UnknownOperationException', `Unknown operation ${target}.`);
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
      };
      const output = await operation.handle(input, ctx);
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
        new ApiError('ServerException', `An internal error occurred (request id ${requestId}). Try again.`),
      );
    }
  };
}

function headerValue(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
