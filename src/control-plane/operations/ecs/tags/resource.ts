/**
 * Which resource a TagResource, UntagResource or ListTagsForResource call means. Only ECS ARNs of this control
 * plane (its region and account) in the long format are taggable: clusters, task definitions, container
 * instances, tasks and services, the resource types ECS documents for these calls (capacity providers aside,
 * which Berth does not have).
 *
 * - A value that is not such an ARN is InvalidParameterException.
 * - An ARN whose resource does not exist is ResourceNotFoundException.
 * - A resource of a deleted (INACTIVE) cluster, or that cluster itself, is InvalidParameterException with
 *   ECS's wording ("The specified cluster is inactive. Specify an active cluster and try again."), which
 *   tools such as Terraform's AWS provider match on.
 */
import { ApiError, invalidParameter } from '../../../../ecs/errors.js';
import type { ParsedArn } from '../../../../ecs/arn.js';
import type { Store } from '../../../store/types.js';
import type { RequestContext } from '../../../context.js';
import { isValidName } from '../../../../domain/validate/names.js';

const TAGGABLE = 'clusters, task definitions, container instances, tasks and services';
const TASK_DEFINITION = /^([A-Za-z0-9_-]{1,255}):([1-9][0-9]{0,9})$/;

/** Resolves a taggable resource ARN to its canonical form, or throws the error ECS would give. */
export async function resolveTaggable(ctx: RequestContext, store: Store, value: string): Promise<string> {
  const arn = ctx.arns.parseOwn(value);
  if (arn === undefined) {
    throw invalidParameter(
      `Invalid resource ARN '${preview(value)}': expected an ECS ARN of region ${ctx.arns.region} and ` +
        `account ${ctx.arns.accountId}, e.g. ${ctx.arns.cluster('my-cluster')}.`,
    );
  }
  switch (arn.resourceType) {
    case 'cluster': {
      const [name = ''] = arn.path;
      if (arn.path.length !== 1 || !isValidName(name)) throw malformed(value, 'cluster/<name>');
      await requireActiveCluster(ctx, store, name);
      return ctx.arns.cluster(name);
    }
    case 'task-definition': {
      const match = arn.path.length === 1 ? TASK_DEFINITION.exec(arn.path[0] ?? '') : null;
      if (!match) throw malformed(value, 'task-definition/<family>:<revision>');
      const [, family = '', revision = ''] = match;
      const definition = await store.taskDefinitions.get(family, Number(revision));
      // A definition being deleted has lost its tags for good; tagging it again would bring them back.
      if (!definition || definition.status === 'DELETE_IN_PROGRESS') throw notFound('task definition', value);
      return ctx.arns.taskDefinition(family, Number(revision));
    }
    case 'container-instance': {
      const [cluster, id] = clusterScoped(arn, value, 'container-instance/<cluster>/<id>');
      await requireActiveCluster(ctx, store, cluster);
      const canonical = ctx.arns.containerInstance(cluster, id);
      const instance = await store.containerInstances.get(canonical);
      // A deregistered instance is gone as far as tags go: ECS deletes a resource's tags with it.
      if (!instance || instance.status === 'INACTIVE') throw notFound('container instance', value);
      return canonical;
    }
    case 'task': {
      const [cluster, id] = clusterScoped(arn, value, 'task/<cluster>/<id>');
      await requireActiveCluster(ctx, store, cluster);
      const canonical = ctx.arns.task(cluster, id);
      if (!(await store.tasks.get(canonical))) throw notFound('task', value);
      return canonical;
    }
    case 'service': {
      if (arn.path.length === 1) {
        // ECS's rule: short service ARNs must be migrated to the long format before they can be tagged.
        throw invalidParameter(
          `Service ARN '${preview(value)}' is in the short format; use the long format service/<cluster>/<name>.`,
        );
      }
      const [cluster, name] = clusterScoped(arn, value, 'service/<cluster>/<name>');
      if (!isValidName(name)) throw malformed(value, 'service/<cluster>/<name>');
      await requireActiveCluster(ctx, store, cluster);
      const canonical = ctx.arns.service(cluster, name);
      const service = await store.services.get(canonical);
      // A deleted (INACTIVE) service has lost its tags with it, as ECS deletes a resource's tags.
      if (!service || service.status === 'INACTIVE') throw notFound('service', value);
      return canonical;
    }
    default:
      throw invalidParameter(
        `Resources of type '${arn.resourceType}' cannot be tagged; taggable resources are ${TAGGABLE}.`,
      );
  }
}

function clusterScoped(arn: ParsedArn, value: string, form: string): [cluster: string, id: string] {
  const [cluster = '', id = ''] = arn.path;
  if (arn.path.length !== 2 || !isValidName(cluster) || id === '') throw malformed(value, form);
  return [cluster, id];
}

async function requireActiveCluster(ctx: RequestContext, store: Store, name: string): Promise<void> {
  const cluster = await store.clusters.get(ctx.arns.cluster(name));
  if (!cluster) throw notFound('cluster', ctx.arns.cluster(name));
  if (cluster.status !== 'ACTIVE') {
    throw invalidParameter('The specified cluster is inactive. Specify an active cluster and try again.');
  }
}

function malformed(value: string, form: string): ApiError {
  return invalidParameter(`Invalid resource ARN '${preview(value)}': expected the form ${form}.`);
}

function notFound(kind: string, arn: string): ApiError {
  return new ApiError(
    'ResourceNotFoundException',
    `The specified resource could not be found: no ${kind} ${preview(arn)}.`,
  );
}

/** Keeps messages short when a caller sends a very long value. */
function preview(value: string): string {
  return value.length > 300 ? `${value.slice(0, 297)}...` : value;
}
