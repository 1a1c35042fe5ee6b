/**
 * `requiresAttributes`: the container instance attributes a task definition needs, so placement only picks
 * hosts whose agent registered them. ECS derives them from the features used; the table below keeps to
 * attribute names the ECS agent itself registers (agent/app/agent_capability.go) and to mappings documented
 * in the ContainerDefinition reference or visible in ECS responses. Berth's agent must register the same
 * names for definitions using these features to be placeable.
 *
 * | feature                                        | attribute                                                  |
 * |------------------------------------------------|------------------------------------------------------------|
 * | taskRoleArn                                    | com.amazonaws.ecs.capability.task-iam-role                 |
 * | taskRoleArn with networkMode host              | + com.amazonaws.ecs.capability.task-iam-role-network-host  |
 * | networkMode awsvpc                             | ecs.capability.task-eni                                    |
 * | pidMode or ipcMode                             | ecs.capability.pid-ipc-namespace-sharing                   |
 * | privileged: true                               | com.amazonaws.ecs.capability.privileged-container          |
 * | memoryReservation                              | com.amazonaws.ecs.capability.docker-remote-api.1.21        |
 * | dockerLabels, ulimits, logConfiguration        | com.amazonaws.ecs.capability.docker-remote-api.1.18 (doc)  |
 * | logConfiguration.logDriver D                   | com.amazonaws.ecs.capability.logging-driver.D              |
 * | logDriver awslogs                              | + docker-remote-api.1.19 (doc: options need 1.19)          |
 * | awslogs with executionRoleArn                  | + ecs.capability.execution-role-awslogs                    |
 * | linuxParameters.initProcessEnabled             | com.amazonaws.ecs.capability.docker-remote-api.1.25 (doc)  |
 * | healthCheck                                    | ecs.capability.container-health-check                      |
 * | dependsOn                                      | ecs.capability.container-ordering                          |
 * | restartPolicy.enabled                          | ecs.capability.container-restart-policy                    |
 * | portMappings[].containerPortRange              | ecs.capability.network.container-port-range                |
 * | repositoryCredentials                          | ecs.capability.private-registry-authentication.secretsmanager |
 * | secrets from SSM / Secrets Manager             | ecs.capability.secrets.{ssm,asm}.environment-variables     |
 * | logConfiguration.secretOptions (SSM / ASM)     | ecs.capability.secrets.{ssm,asm}.bootstrap.log-driver      |
 * | environmentFiles                               | ecs.capability.env-files.s3                                |
 * | firelensConfiguration type T                   | ecs.capability.firelens.T                                  |
 * | image in Amazon ECR                            | com.amazonaws.ecs.capability.ecr-auth                      |
 * | ECR image with executionRoleArn                | + ecs.capability.execution-role-ecr-pull                   |
 * | dockerVolumeConfiguration with driver D        | ecs.capability.docker-plugin.D (default driver "local")    |
 * | efsVolumeConfiguration                         | ecs.capability.efs                                         |
 *
 * ECS returns these in no particular order; Berth sorts them so the same input always gives the same output.
 */
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { networkModeOf } from './network.js';

const LEGACY = 'com.amazonaws.ecs.capability.';
const CAP = 'ecs.capability.';
const dockerApi = (version: string): string => `${LEGACY}docker-remote-api.${version}`;

/** An ECR image reference: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/repo...`. */
const ECR_IMAGE = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

export function computeRequiresAttributes(input: RegisterTaskDefinitionRequest): { name: string }[] {
  const names = new Set<string>();
  const hasExecutionRole = input.executionRoleArn !== undefined && input.executionRoleArn !== '';
  const mode = networkModeOf(input);

  if (input.taskRoleArn !== undefined && input.taskRoleArn !== '') {
    names.add(`${LEGACY}task-iam-role`);
    if (mode === 'host') names.add(`${LEGACY}task-iam-role-network-host`);
  }
  if (mode === 'awsvpc') names.add(`${CAP}task-eni`);
  if (input.pidMode !== undefined || input.ipcMode !== undefined)
    names.add(`${CAP}pid-ipc-namespace-sharing`);

  for (const c of input.containerDefinitions ?? []) addContainer(c, hasExecutionRole, names);

  for (const v of input.volumes ?? []) {
    if (v.dockerVolumeConfiguration)
      names.add(`${CAP}docker-plugin.${v.dockerVolumeConfiguration.driver ?? 'local'}`);
    if (v.efsVolumeConfiguration) names.add(`${CAP}efs`);
  }
  return [...names].sort().map((name) => ({ name }));
}

function addContainer(c: ContainerDefinition, hasExecutionRole: boolean, names: Set<string>): void {
  if (c.privileged === true) names.add(`${LEGACY}privileged-container`);
  if (c.memoryReservation !== undefined) names.add(dockerApi('1.21'));
  if (c.dockerLabels !== undefined && Object.keys(c.dockerLabels).length > 0) names.add(dockerApi('1.18'));
  if ((c.ulimits ?? []).length > 0) names.add(dockerApi('1.18'));

  const log = c.logConfiguration;
  if (log?.logDriver !== undefined) {
    names.add(dockerApi('1.18'));
    names.add(`${LEGACY}logging-driver.${log.logDriver}`);
    if (log.logDriver === 'awslogs') {
      names.add(dockerApi('1.19'));
      if (hasExecutionRole) names.add(`${CAP}execution-role-awslogs`);
    }
    for (const s of log.secretOptions ?? [])
      names.add(`${CAP}secrets.${secretStore(s.valueFrom)}.bootstrap.log-driver`);
  }

  if (c.linuxParameters?.initProcessEnabled === true) names.add(dockerApi('1.25'));
  if (c.healthCheck !== undefined) names.add(`${CAP}container-health-check`);
  if ((c.dependsOn ?? []).length > 0) names.add(`${CAP}container-ordering`);
  if (c.restartPolicy?.enabled === true) names.add(`${CAP}container-restart-policy`);
  if ((c.portMappings ?? []).some((p) => p.containerPortRange !== undefined)) {
    names.add(`${CAP}network.container-port-range`);
  }
  if (c.repositoryCredentials !== undefined)
    names.add(`${CAP}private-registry-authentication.secretsmanager`);
  for (const s of c.secrets ?? [])
    names.add(`${CAP}secrets.${secretStore(s.valueFrom)}.environment-variables`);
  if ((c.environmentFiles ?? []).length > 0) names.add(`${CAP}env-files.s3`);
  if (c.firelensConfiguration?.type !== undefined)
    names.add(`${CAP}firelens.${c.firelensConfiguration.type}`);
  if (c.image !== undefined && ECR_IMAGE.test(c.image)) {
    names.add(`${LEGACY}ecr-auth`);
    if (hasExecutionRole) names.add(`${CAP}execution-role-ecr-pull`);
  }
}

/** Secrets Manager ARNs go to the `asm` capability; SSM parameter ARNs and bare parameter names to `ssm`. */
function secretStore(valueFrom: string | undefined): 'asm' | 'ssm' {
  return valueFrom?.includes(':secretsmanager:') === true ? 'asm' : 'ssm';
}
