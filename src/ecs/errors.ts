/**
 * The one error catalogue of Berth's API surface.
 *
 * Every error a caller can see is an `ApiError` whose `code` is a key of `CATALOGUE`. The catalogue says which
 * HTTP status the code travels with (AWS JSON protocols: 400 for client faults, 500 for server faults, 403 for
 * the authentication front door) and whether a well-behaved client should retry it. The wire shape is built in
 * one place (`aws-json.ts`), so an error raised anywhere comes out exactly as the AWS SDKs parse it.
 */

interface CatalogueEntry {
  /** HTTP status the error is sent with. */
  readonly status: 400 | 403 | 404 | 413 | 500 | 503;
  /** Whether retrying the same request later can succeed. */
  readonly retryable: boolean;
  /** When Berth raises it. */
  readonly when: string;
}

export const CATALOGUE = {
  // Protocol and authentication (shared by every awsJson1.1 service Berth serves).
  SerializationException: {
    status: 400,
    retryable: false,
    when: 'the body is not JSON of the expected shape',
  },
  UnknownOperationException: { status: 400, retryable: false, when: 'X-Amz-Target names no known operation' },
  MissingAuthenticationTokenException: { status: 400, retryable: false, when: 'the request is not signed' },
  IncompleteSignatureException: { status: 400, retryable: false, when: 'the signature is malformed' },
  UnrecognizedClientException: { status: 400, retryable: false, when: 'the access key is unknown' },
  InvalidSignatureException: {
    status: 400,
    retryable: false,
    when: 'the signature does not match, or is stale',
  },
  ExpiredTokenException: { status: 400, retryable: false, when: 'temporary credentials have expired' },
  AccessDeniedException: { status: 400, retryable: false, when: 'the principal may not call this operation' },
  ThrottlingException: { status: 400, retryable: true, when: 'the caller exceeded a request rate' },
  RequestEntityTooLargeException: { status: 413, retryable: false, when: 'the request body is too large' },
  InternalFailure: { status: 500, retryable: true, when: 'an unexpected failure outside any service' },

  // ECS (AmazonEC2ContainerServiceV20141113).
  ServerException: { status: 500, retryable: true, when: 'an unexpected failure inside an ECS operation' },
  ClientException: { status: 400, retryable: false, when: 'the request is invalid for the resource' },
  InvalidParameterException: { status: 400, retryable: false, when: 'a parameter is missing or invalid' },
  ClusterNotFoundException: { status: 400, retryable: false, when: 'the cluster does not exist' },
  ClusterContainsContainerInstancesException: {
    status: 400,
    retryable: false,
    when: 'deleting a cluster that still has registered container instances',
  },
  ClusterContainsServicesException: {
    status: 400,
    retryable: false,
    when: 'deleting a cluster that still has active or draining services',
  },
  ClusterContainsTasksException: {
    status: 400,
    retryable: false,
    when: 'deleting a cluster with active tasks',
  },
  AttributeLimitExceededException: {
    status: 400,
    retryable: false,
    when: 'a resource would have more than 10 custom attributes',
  },
  TargetNotFoundException: { status: 400, retryable: false, when: 'an attribute target does not exist' },
  ResourceNotFoundException: { status: 400, retryable: false, when: 'a tagged resource does not exist' },
  ResourceInUseException: { status: 400, retryable: false, when: 'the resource is in use' },
  LimitExceededException: { status: 400, retryable: false, when: 'a quota would be exceeded' },
  ConflictException: {
    status: 400,
    retryable: false,
    when: 'a client token was reused with other parameters',
  },
  ServiceNotFoundException: { status: 400, retryable: false, when: 'the service does not exist' },
  ServiceNotActiveException: { status: 400, retryable: false, when: 'the service is not ACTIVE' },
  UnsupportedFeatureException: { status: 400, retryable: false, when: 'the feature is not available here' },
  UpdateInProgressException: { status: 400, retryable: true, when: 'another update is in progress' },
  PlatformUnknownException: { status: 400, retryable: false, when: 'the platform version does not exist' },
  PlatformTaskDefinitionIncompatibilityException: {
    status: 400,
    retryable: false,
    when: 'the task definition does not fit the platform',
  },
  TargetNotConnectedException: { status: 400, retryable: true, when: 'the target agent is not connected' },

  // SSM (AmazonSSM): activations, managed instances and the agent's registration and credentials.
  InternalServerError: {
    status: 500,
    retryable: true,
    when: 'an unexpected failure inside an SSM operation',
  },
  InvalidParameters: { status: 400, retryable: false, when: 'an SSM parameter is invalid for its meaning' },
  InvalidActivation: {
    status: 400,
    retryable: false,
    when: 'a registration names an unknown, deleted, expired or used-up activation, or a wrong code',
  },
  InvalidActivationId: { status: 400, retryable: false, when: 'the activation does not exist' },
  InvalidInstanceId: {
    status: 400,
    retryable: false,
    when: 'the managed instance id is malformed, unknown or deregistered',
  },
  InvalidNextToken: { status: 400, retryable: false, when: 'a NextToken was not issued by a previous call' },
  InvalidFilter: { status: 400, retryable: false, when: 'a DescribeActivations filter is incomplete' },
  InvalidFilterKey: { status: 400, retryable: false, when: 'a filter key is not supported' },
  InvalidInstanceInformationFilterValue: {
    status: 400,
    retryable: false,
    when: 'a DescribeInstanceInformation filter value is invalid',
  },
  InvalidResourceType: { status: 400, retryable: false, when: 'the resource type cannot be tagged here' },
  InvalidResourceId: { status: 400, retryable: false, when: 'the tagged resource does not exist' },
  TooManyTagsError: { status: 400, retryable: false, when: 'a resource would have more tags than allowed' },
  // CloudWatch Logs
  ResourceAlreadyExistsException: { status: 400, retryable: false, when: 'the log group or stream exists' },
  TooManyTagsException: { status: 400, retryable: false, when: 'a log group would have more than 50 tags' },
  ServiceUnavailableException: { status: 500, retryable: true, when: 'an unexpected failure inside Logs' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof CATALOGUE;

/** An error that reaches the caller as an awsJson1.1 error response. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra members of the error shape, e.g. `resourceIds` of ConflictException. */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.status = CATALOGUE[code].status;
    this.retryable = CATALOGUE[code].retryable;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** The most common error of all: a parameter that is missing or invalid. */
export function invalidParameter(message: string): ApiError {
  return new ApiError('InvalidParameterException', message);
}

export function clientError(message: string): ApiError {
  return new ApiError('ClientException', message);
}
