/**
 * SSM's request and response shapes for the operations Berth serves (Berth does not depend on
 * @aws-sdk/client-ssm; these follow botocore's model, member for member). Timestamps arrive as epoch seconds
 * or ISO-8601 text and leave as Dates, which the wire layer turns into epoch seconds.
 */
export interface SsmTag {
  readonly Key: string;
  readonly Value: string;
}

export interface CreateActivationRequest {
  readonly Description?: string;
  readonly DefaultInstanceName?: string;
  readonly IamRole: string;
  readonly RegistrationLimit?: number;
  readonly ExpirationDate?: number | string;
  readonly Tags?: readonly SsmTag[];
}

export interface CreateActivationResult {
  readonly ActivationId: string;
  readonly ActivationCode: string;
}

export interface DescribeActivationsFilter {
  readonly FilterKey?: 'ActivationIds' | 'DefaultInstanceName' | 'IamRole';
  readonly FilterValues?: readonly string[];
}

export interface DescribeActivationsRequest {
  readonly Filters?: readonly DescribeActivationsFilter[];
  readonly MaxResults?: number;
  readonly NextToken?: string;
}

export interface Activation {
  readonly ActivationId: string;
  readonly Description?: string;
  readonly DefaultInstanceName?: string;
  readonly IamRole: string;
  readonly RegistrationLimit: number;
  readonly RegistrationsCount: number;
  readonly ExpirationDate: Date;
  readonly Expired: boolean;
  readonly CreatedDate: Date;
  readonly Tags: SsmTag[];
}

export interface DescribeActivationsResult {
  readonly ActivationList: Activation[];
  readonly NextToken?: string;
}

export interface DeleteActivationRequest {
  readonly ActivationId: string;
}

export interface InstanceInformationFilter {
  readonly key: string;
  readonly valueSet: readonly string[];
}

export interface InstanceInformationStringFilter {
  readonly Key: string;
  readonly Values: readonly string[];
}

export interface DescribeInstanceInformationRequest {
  readonly InstanceInformationFilterList?: readonly InstanceInformationFilter[];
  readonly Filters?: readonly InstanceInformationStringFilter[];
  readonly MaxResults?: number;
  readonly NextToken?: string;
}

export type PingStatus = 'Online' | 'ConnectionLost' | 'Inactive';

export interface InstanceInformation {
  readonly InstanceId: string;
  readonly PingStatus: PingStatus;
  readonly LastPingDateTime?: Date;
  readonly AgentVersion?: string;
  readonly IsLatestVersion: boolean;
  readonly PlatformType: 'Linux';
  readonly PlatformName?: string;
  readonly PlatformVersion?: string;
  readonly ActivationId: string;
  readonly IamRole: string;
  readonly RegistrationDate: Date;
  readonly ResourceType: 'ManagedInstance';
  readonly Name?: string;
  readonly IPAddress?: string;
  readonly ComputerName?: string;
  readonly SourceId: string;
  readonly SourceType: 'AWS::SSM::ManagedInstance';
}

export interface DescribeInstanceInformationResult {
  readonly InstanceInformationList: InstanceInformation[];
  readonly NextToken?: string;
}

export interface DeregisterManagedInstanceRequest {
  readonly InstanceId: string;
}

export interface RegisterManagedInstanceRequest {
  readonly ActivationId: string;
  readonly ActivationCode: string;
  readonly PublicKey: string;
  readonly PublicKeyType: 'Ed25519';
  readonly Fingerprint: string;
  readonly Hostname?: string;
  readonly PlatformName?: string;
  readonly PlatformVersion?: string;
  readonly IPAddress?: string;
  readonly AgentVersion?: string;
}

export interface RegisterManagedInstanceResult {
  readonly InstanceId: string;
  readonly Region: string;
}

export interface RequestManagedInstanceRoleTokenRequest {
  readonly Fingerprint: string;
}

export interface RequestManagedInstanceRoleTokenResult {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  readonly TokenExpirationDate: Date;
  readonly UpdateKeyPair: boolean;
}

export type TaggableResourceType =
  | 'Document'
  | 'ManagedInstance'
  | 'MaintenanceWindow'
  | 'Parameter'
  | 'PatchBaseline'
  | 'OpsItem'
  | 'OpsMetadata'
  | 'Automation'
  | 'Association';

export interface AddTagsToResourceRequest {
  readonly ResourceType: TaggableResourceType;
  readonly ResourceId: string;
  readonly Tags: readonly SsmTag[];
}

export interface RemoveTagsFromResourceRequest {
  readonly ResourceType: TaggableResourceType;
  readonly ResourceId: string;
  readonly TagKeys: readonly string[];
}

export interface ListTagsForResourceRequest {
  readonly ResourceType: TaggableResourceType;
  readonly ResourceId: string;
}

export interface ListTagsForResourceResult {
  readonly TagList: SsmTag[];
}
