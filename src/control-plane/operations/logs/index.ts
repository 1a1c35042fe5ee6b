/**
 * The CloudWatch Logs subset Berth serves on the same endpoint as ECS (`X-Amz-Target: Logs_20140328.*`,
 * signing name `logs`): log groups, streams and events, retention and tags. Agents ship with their
 * instance credentials, so the operations the awslogs driver calls take `agent` access.
 */
import { logsModel } from '../../../ecs/model/index.js';
import type { ServiceDefinition } from '../operation.js';
import { filterLogEvents } from './events/filter-log-events.js';
import { getLogEvents } from './events/get-log-events.js';
import { putLogEvents } from './events/put-log-events.js';
import { createLogGroup } from './groups/create-log-group.js';
import { deleteLogGroup } from './groups/delete-log-group.js';
import { describeLogGroups } from './groups/describe-log-groups.js';
import { deleteRetentionPolicy, putRetentionPolicy } from './groups/retention-policy.js';
import { createLogStream } from './streams/create-log-stream.js';
import { deleteLogStream } from './streams/delete-log-stream.js';
import { describeLogStreams } from './streams/describe-log-streams.js';
import {
  listTagsForResource,
  listTagsLogGroup,
  tagLogGroup,
  tagResource,
  untagLogGroup,
  untagResource,
} from './tags/tag-operations.js';

const operations = [
  createLogGroup,
  deleteLogGroup,
  describeLogGroups,
  putRetentionPolicy,
  deleteRetentionPolicy,
  createLogStream,
  deleteLogStream,
  describeLogStreams,
  putLogEvents,
  getLogEvents,
  filterLogEvents,
  tagResource,
  untagResource,
  listTagsForResource,
  tagLogGroup,
  untagLogGroup,
  listTagsLogGroup,
];

export const logsService: ServiceDefinition = {
  targetPrefix: 'Logs_20140328',
  signingName: 'logs',
  model: logsModel,
  operations: new Map(operations.map((op) => [op.name, op])),
  internalErrorCode: 'ServiceUnavailableException',
};
