/**
 * Which task definition a `taskDefinition` parameter means. ECS takes three forms everywhere: `family` (its
 * latest ACTIVE revision), `family:revision`, and the full ARN `arn:aws:ecs:REGION:ACCOUNT:task-definition/
 * family:revision`.
 *
 * Parsing is separate from lookup because each operation words "not found" its own way: DescribeTaskDefinition
 * (and RunTask, StartTask, services) say "Unable to describe task definition.", DeregisterTaskDefinition says
 * "The specified task definition does not exist.", DeleteTaskDefinitions reports per-item failures.
 */
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { parseArn } from '../../ecs/arn.js';
import { clientError, invalidParameter } from '../../ecs/errors.js';
import type { ApiError } from '../../ecs/errors.js';
import type { Store } from '../store/types.js';
import type { RequestContext } from '../context.js';
import { isValidName } from '../../domain/validate/names.js';

/** The hard quota on revisions per family (ECS service quotas; not adjustable). */
export const MAX_REVISION = 1_000_000;

export type TaskDefinitionRef =
  | {
      readonly kind: 'local';
      readonly family: string;
      /** Absent for a bare family: the latest ACTIVE revision. */
      readonly revision?: number;
    }
  | {
      /**
       * A well-formed reference that cannot name anything here: an ARN of another region or account, or a
       * family name no registration could have created. Lookups treat it as absent.
       */
      readonly kind: 'elsewhere';
      readonly family: string;
      readonly revision?: number;
      /** Why it is absent, for messages. */
      readonly why: string;
    };

const ARN_RESOURCE = /^task-definition\/([^:/]*)(?::([^:/]*))?$/;

/**
 * Parses a reference. Throws InvalidParameterException only for what cannot be a reference at all (an ARN of
 * another service or resource type, a revision that is not a positive number); a reference to something
 * that does not exist parses fine and is found missing later, as in ECS.
 */
export function parseTaskDefinitionRef(ctx: RequestContext, value: string): TaskDefinitionRef {
  let familyText: string;
  let revisionText: string | undefined;
  let foreign: string | undefined;
  if (value.startsWith('arn:')) {
    const arn = parseArn(value);
    const resource = value.split(':').slice(5).join(':');
    const match = ARN_RESOURCE.exec(resource);
    if (arn?.service !== 'ecs' || arn.resourceType !== 'task-definition' || !match) {
      throw invalidParameter(
        `Invalid task definition ARN '${preview(value)}': expected ` +
          `arn:aws:ecs:${ctx.arns.region}:${ctx.arns.accountId}:task-definition/<family>:<revision>.`,
      );
    }
    familyText = match[1] ?? '';
    revisionText = match[2];
    if (arn.region !== ctx.arns.region || arn.accountId !== ctx.arns.accountId) {
      foreign =
        `the ARN names region '${arn.region}' and account '${arn.accountId}'; this control plane serves ` +
        `region '${ctx.arns.region}' and account '${ctx.arns.accountId}'`;
    }
  } else {
    const colon = value.lastIndexOf(':');
    familyText = colon < 0 ? value : value.slice(0, colon);
    revisionText = colon < 0 ? undefined : value.slice(colon + 1);
  }
  const revision = revisionText === undefined ? undefined : parseRevision(revisionText);
  const revisionPart = revision === undefined ? {} : { revision };
  if (foreign !== undefined) return { kind: 'elsewhere', family: familyText, ...revisionPart, why: foreign };
  if (!isValidName(familyText)) {
    const why =
      familyText === ''
        ? 'the family name is empty'
        : `'${preview(familyText)}' is not a valid family name (1-255 letters, numbers, hyphens and underscores)`;
    return { kind: 'elsewhere', family: familyText, ...revisionPart, why };
  }
  return { kind: 'local', family: familyText, ...revisionPart };
}

/** ECS's wording for a revision that is not a number, e.g. `web:latest`. */
function parseRevision(text: string): number {
  const revision = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(revision) || revision < 1) {
    throw invalidParameter(
      `Invalid revision number. Number: ${preview(text)}. Revisions are whole numbers from 1; ` +
        'give family:revision (e.g. web:3), or the family alone for its latest ACTIVE revision.',
    );
  }
  return revision;
}

/** The record a parsed reference names, or undefined. A bare family means its latest ACTIVE revision. */
export async function findTaskDefinition(
  store: Store,
  ref: TaskDefinitionRef,
): Promise<TaskDefinition | undefined> {
  if (ref.kind !== 'local') return undefined;
  if (ref.revision === undefined) return store.taskDefinitions.latestActive(ref.family);
  if (ref.revision > MAX_REVISION) return undefined;
  return store.taskDefinitions.get(ref.family, ref.revision);
}

/** `family:revision` or `family`, as a user wrote it, for messages. */
export function refLabel(ref: TaskDefinitionRef): string {
  return ref.revision === undefined ? ref.family : `${ref.family}:${ref.revision}`;
}

/**
 * Resolves a reference to a record in any status, or throws ECS's ClientException "Unable to describe task
 * definition." (tools such as Terraform's AWS provider match on that sentence), followed by what is missing.
 */
export async function resolveTaskDefinition(
  ctx: RequestContext,
  value: string,
  store: Store = ctx.store,
): Promise<TaskDefinition> {
  const ref = parseTaskDefinitionRef(ctx, value);
  const found = await findTaskDefinition(store, ref);
  if (found) return found;
  throw unableToDescribe(ref);
}

export function unableToDescribe(ref: TaskDefinitionRef): ApiError {
  let detail: string;
  if (ref.kind === 'elsewhere') detail = `Nothing can match '${preview(refLabel(ref))}': ${ref.why}.`;
  else if (ref.revision === undefined)
    detail =
      `Family '${ref.family}' has no ACTIVE revision. Register one, or name a revision (family:revision) ` +
      'to see an INACTIVE one.';
  else detail = `No task definition ${ref.family}:${ref.revision} is registered.`;
  return clientError(`Unable to describe task definition. ${detail}`);
}

/** Keeps messages short when someone pastes a whole document into a reference. */
export function preview(value: string): string {
  return value.length > 300 ? `${value.slice(0, 297)}...` : value;
}
