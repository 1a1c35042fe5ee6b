import { BERTH_VERSION } from '../../../../util/version.js';
import type { ManagedInstanceRecord } from '../../../store/types.js';
import type { RequestContext } from '../../../context.js';
import type { InstanceInformation } from '../types.js';
import { pingStatus } from './ping.js';

export function instanceInformation(ctx: RequestContext, m: ManagedInstanceRecord): InstanceInformation {
  return {
    InstanceId: m.instanceId,
    PingStatus: pingStatus(m, ctx.now(), ctx.runtime.pingTimeoutMs),
    ...(m.lastPingDateTime !== undefined && { LastPingDateTime: m.lastPingDateTime }),
    ...(m.agentVersion !== undefined && { AgentVersion: m.agentVersion }),
    IsLatestVersion: m.agentVersion === BERTH_VERSION,
    PlatformType: 'Linux',
    ...(m.platformName !== undefined && { PlatformName: m.platformName }),
    ...(m.platformVersion !== undefined && { PlatformVersion: m.platformVersion }),
    ActivationId: m.activationId,
    IamRole: m.iamRole,
    RegistrationDate: m.registrationDate,
    ResourceType: 'ManagedInstance',
    ...(m.name !== undefined && { Name: m.name }),
    ...(m.ipAddress !== undefined && { IPAddress: m.ipAddress }),
    ...(m.computerName !== undefined && { ComputerName: m.computerName }),
    SourceId: m.instanceId,
    SourceType: 'AWS::SSM::ManagedInstance',
  };
}
