/**
 * The SSM model Berth validates against: botocore's (the public activation subset, `ssm.json`) plus the two
 * agent-side operations SSM keeps out of its public model, RegisterManagedInstance and
 * RequestManagedInstanceRoleToken, in the shapes SSM's agent sends them (with Ed25519 in place of RSA).
 */
import { parseServiceModel, ssmModel, type ServiceModel, type Shape } from '../../../ecs/model/index.js';

const AGENT_OPERATIONS = {
  RegisterManagedInstance: {
    input: 'RegisterManagedInstanceRequest',
    output: 'RegisterManagedInstanceResult',
    errors: ['InternalServerError', 'InvalidActivation', 'InvalidParameters'],
  },
  RequestManagedInstanceRoleToken: {
    input: 'RequestManagedInstanceRoleTokenRequest',
    output: 'RequestManagedInstanceRoleTokenResult',
    errors: ['InternalServerError', 'InvalidInstanceId', 'AccessDeniedException'],
  },
};

const AGENT_SHAPES: Record<string, Shape> = {
  RegisterManagedInstanceRequest: {
    type: 'structure',
    members: {
      ActivationId: { shape: 'ActivationId' },
      ActivationCode: { shape: 'RegistrationActivationCode' },
      PublicKey: { shape: 'InstancePublicKey' },
      PublicKeyType: { shape: 'InstancePublicKeyType' },
      Fingerprint: { shape: 'InstanceFingerprint' },
      Hostname: { shape: 'ComputerName' },
      PlatformName: { shape: 'PlatformText' },
      PlatformVersion: { shape: 'PlatformText' },
      IPAddress: { shape: 'IPAddress' },
      AgentVersion: { shape: 'Version' },
    },
    required: ['ActivationId', 'ActivationCode', 'PublicKey', 'PublicKeyType', 'Fingerprint'],
  },
  RegisterManagedInstanceResult: {
    type: 'structure',
    members: { InstanceId: { shape: 'ManagedInstanceId' }, Region: { shape: 'String' } },
  },
  RequestManagedInstanceRoleTokenRequest: {
    type: 'structure',
    members: { Fingerprint: { shape: 'InstanceFingerprint' } },
    required: ['Fingerprint'],
  },
  RequestManagedInstanceRoleTokenResult: {
    type: 'structure',
    members: {
      AccessKeyId: { shape: 'String' },
      SecretAccessKey: { shape: 'String' },
      SessionToken: { shape: 'String' },
      TokenExpirationDate: { shape: 'DateTime' },
      UpdateKeyPair: { shape: 'Boolean' },
    },
  },
  // The code is a bearer secret: never echoed in a validation message.
  RegistrationActivationCode: { type: 'string', min: 20, max: 250, sensitive: true },
  // Room for any DER SubjectPublicKeyInfo in base64; an Ed25519 one is 60 characters.
  InstancePublicKey: { type: 'string', min: 1, max: 4096 },
  InstancePublicKeyType: { type: 'string', enum: ['Ed25519'] },
  InstanceFingerprint: { type: 'string', min: 1, max: 1024 },
  PlatformText: { type: 'string', min: 1, max: 255 },
  // DeregisterManagedInstance checks its InstanceId itself, to answer InvalidInstanceId as SSM does rather
  // than a generic validation error.
  DeregisterManagedInstanceRequest: {
    type: 'structure',
    members: { InstanceId: { shape: 'String' } },
    required: ['InstanceId'],
  },
};

export const berthSsmModel: ServiceModel = parseServiceModel(
  {
    ...ssmModel,
    operations: { ...ssmModel.operations, ...AGENT_OPERATIONS },
    shapes: { ...ssmModel.shapes, ...AGENT_SHAPES },
  },
  'src/control-plane/operations/ssm/model.ts',
);
