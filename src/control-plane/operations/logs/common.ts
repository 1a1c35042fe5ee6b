/**
 * What the Logs operations share: AWS's not-found and already-exists errors, ARNs, resolving
 * `logGroupIdentifier`, and the view of a group and a stream.
 */
import { ApiError } from '../../../ecs/errors.js';
import type { RequestContext } from '../../context.js';
import type { LogGroupRecord, LogStreamRecord } from '../../logs-store/types.js';

export function invalidParameter(message: string): ApiError {
  return new ApiError('InvalidParameterException', message);
}

export function groupNotFound(): ApiError {
  return new ApiError('ResourceNotFoundException', 'The specified log group does not exist.');
}

export function streamNotFound(): ApiError {
  return new ApiError('ResourceNotFoundException', 'The specified log stream does not exist.');
}

/** `arn:aws:logs:REGION:ACCOUNT:log-group:NAME`, the form TagResource takes and `logGroupArn` shows. */
export function logGroupArn(ctx: RequestContext, name: string): string {
  return `arn:aws:logs:${ctx.arns.region}:${ctx.arns.accountId}:log-group:${name}`;
}

/** A log group ARN (with or without the trailing `:*`) or a plain name, as `logGroupIdentifier` allows. */
export function groupNameOf(identifier: string): string {
  const m = /^arn:aws[a-z-]*:logs:[^:]*:\d*:log-group:([^:]+)(:\*)?$/.exec(identifier);
  if (m) return m[1] ?? '';
  if (identifier.startsWith('arn:')) throw invalidParameter(`${identifier} is not a log group ARN.`);
  return identifier;
}

/** Exactly one of `logGroupName` and `logGroupIdentifier`, as GetLogEvents and FilterLogEvents require. */
export function oneGroup(input: { logGroupName?: string; logGroupIdentifier?: string }): string {
  if ((input.logGroupName === undefined) === (input.logGroupIdentifier === undefined)) {
    throw invalidParameter('Specify exactly one of logGroupName and logGroupIdentifier.');
  }
  return input.logGroupName ?? groupNameOf(input.logGroupIdentifier ?? '');
}

export function groupView(ctx: RequestContext, g: LogGroupRecord): Record<string, unknown> {
  const arn = logGroupArn(ctx, g.name);
  return {
    logGroupName: g.name,
    creationTime: g.createdAt,
    ...(g.retentionInDays !== undefined && { retentionInDays: g.retentionInDays }),
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: g.storedBytes,
    logGroupClass: 'STANDARD',
    logGroupArn: arn,
  };
}

export function streamView(ctx: RequestContext, group: string, s: LogStreamRecord): Record<string, unknown> {
  return {
    logStreamName: s.name,
    creationTime: s.createdAt,
    ...(s.firstEventTimestamp !== undefined && { firstEventTimestamp: s.firstEventTimestamp }),
    ...(s.lastEventTimestamp !== undefined && { lastEventTimestamp: s.lastEventTimestamp }),
    ...(s.lastIngestionTime !== undefined && { lastIngestionTime: s.lastIngestionTime }),
    arn: `${logGroupArn(ctx, group)}:log-stream:${s.name}`,
    storedBytes: s.storedBytes,
  };
}

/** The retention values CloudWatch Logs accepts (the `Days` shape's documentation). */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const MAX_TAGS = 50;
