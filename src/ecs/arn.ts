/**
 * ECS resource ARNs in the long format (`arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID`), built for the
 * configured region and account, and parsed back from what callers send.
 */

export const ECS_RESOURCE_TYPES = [
  'cluster',
  'container-instance',
  'task',
  'task-definition',
  'service',
  'capacity-provider',
  'task-set',
  'container',
] as const;
export type EcsResourceType = (typeof ECS_RESOURCE_TYPES)[number];

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly resourceType: string;
  /** Everything after `type/`, split on `/`. */
  readonly path: readonly string[];
}

export function parseArn(value: string): ParsedArn | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', accountId = ''] = parts;
  const resource = parts.slice(5).join(':');
  const slash = resource.indexOf('/');
  if (slash <= 0) return undefined;
  return {
    partition,
    service,
    region,
    accountId,
    resourceType: resource.slice(0, slash),
    path: resource.slice(slash + 1).split('/'),
  };
}

export class Arns {
  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  private ecs(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:${resource}`;
  }

  cluster(name: string): string {
    return this.ecs(`cluster/${name}`);
  }

  taskDefinition(family: string, revision: number): string {
    return this.ecs(`task-definition/${family}:${revision}`);
  }

  containerInstance(clusterName: string, id: string): string {
    return this.ecs(`container-instance/${clusterName}/${id}`);
  }

  task(clusterName: string, id: string): string {
    return this.ecs(`task/${clusterName}/${id}`);
  }

  service(clusterName: string, name: string): string {
    return this.ecs(`service/${clusterName}/${name}`);
  }

  container(clusterName: string, taskId: string, id: string): string {
    return this.ecs(`container/${clusterName}/${taskId}/${id}`);
  }

  /** Parses an ECS ARN of this control plane's region and account; anything else is `undefined`. */
  parseOwn(value: string): ParsedArn | undefined {
    const arn = parseArn(value);
    if (!arn || arn.service !== 'ecs' || arn.region !== this.region || arn.accountId !== this.accountId) {
      return undefined;
    }
    return arn;
  }
}

/** The last path segment of an ARN, or the value itself when it is not an ARN (an id or a name). */
export function idOf(arnOrId: string): string {
  return arnOrId.startsWith('arn:') ? (arnOrId.split('/').pop() ?? arnOrId) : arnOrId;
}
