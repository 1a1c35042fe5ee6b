/**
 * RegisterTaskDefinition validation, in the order a user fixes things: size and names first, then task-level
 * settings, then each container, then how containers relate. The model-driven validator has already checked
 * JSON types, required members, enums and model min/max; everything here is ECS semantics beyond the model.
 */
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { validateName } from '../validate/names.js';
import { validateTags } from '../validate/tags.js';
import { clientError } from '../../ecs/errors.js';
import { incompatibilityReasons } from './compatibilities.js';
import type { TaskFacts } from './facts.js';
import { taskFacts } from './facts.js';
import {
  MAX_CONSTRAINT_EXPRESSION_LENGTH,
  MAX_CONTAINERS,
  MAX_PLACEMENT_CONSTRAINTS,
  MAX_TASK_DEFINITION_BYTES,
} from './limits.js';
import { taskCpuUnits, taskMemoryMiB } from './units.js';
import { validateContainer } from './validate-containers.js';
import { validatePorts } from './validate-ports.js';
import { validateReferences } from './validate-references.js';
import { validateMountPoints, validateVolumes } from './validate-volumes.js';

/** Throws ClientException/InvalidParameterException for anything ECS would refuse. */
export function validateTaskDefinitionInput(input: RegisterTaskDefinitionRequest): void {
  validateSize(input);
  validateName('family', input.family);
  validateTags(input.tags);
  const containers = validateContainerCount(input.containerDefinitions);

  const taskCpu = input.cpu === undefined ? undefined : taskCpuUnits(input.cpu);
  const taskMemory = input.memory === undefined ? undefined : taskMemoryMiB(input.memory);
  const facts = taskFacts(input, taskCpu, taskMemory);
  validateRequiredCompatibilities(input);
  validatePlacementConstraints(input);
  const volumeNames = validateVolumes(input.volumes ?? []);

  const names = new Set<string>();
  for (const c of containers) {
    validateContainer(c, facts);
    const name = c.name as string;
    if (names.has(name)) {
      throw clientError(`Container name '${name}' is used more than once. Container names must be unique.`);
    }
    names.add(name);
    validateMountPoints(c, volumeNames);
  }
  if (!containers.some((c) => c.essential !== false)) {
    throw clientError(
      "A task definition needs at least one essential container. Set 'essential': true (the default) on one.",
    );
  }
  validateTotals(containers, facts);
  validatePorts(containers, facts);
  validateReferences(input, facts);
}

/** The serialised request, tags included, must fit ECS's 64 KiB task definition quota. */
function validateSize(input: RegisterTaskDefinitionRequest): void {
  const bytes = new TextEncoder().encode(JSON.stringify(input)).length;
  if (bytes > MAX_TASK_DEFINITION_BYTES) {
    throw clientError(
      `Task definition size exceeds the limit of ${MAX_TASK_DEFINITION_BYTES} bytes (it is ${bytes} bytes). ` +
        'Move large values such as environment variables into environmentFiles or secrets.',
    );
  }
}

function validateContainerCount(containers: ContainerDefinition[] | undefined): ContainerDefinition[] {
  if (containers === undefined || containers.length === 0) {
    throw clientError('A task definition needs at least one container in containerDefinitions.');
  }
  if (containers.length > MAX_CONTAINERS) {
    throw clientError(
      `Too many containers: ${containers.length} given, a task definition can have at most ${MAX_CONTAINERS}. ` +
        'Split them across task definitions.',
    );
  }
  return containers;
}

function validateRequiredCompatibilities(input: RegisterTaskDefinitionRequest): void {
  for (const launchType of input.requiresCompatibilities ?? []) {
    const [reason] = incompatibilityReasons(input, launchType);
    if (reason !== undefined) {
      throw clientError(`${reason} (The task definition requires compatibility with ${launchType}.)`);
    }
  }
}

/** Only `memberOf` exists for task definitions; the expression itself is parsed where it is evaluated. */
function validatePlacementConstraints(input: RegisterTaskDefinitionRequest): void {
  const constraints = input.placementConstraints ?? [];
  if (constraints.length > MAX_PLACEMENT_CONSTRAINTS) {
    throw clientError(
      `Too many placement constraints: ${constraints.length} given, at most ${MAX_PLACEMENT_CONSTRAINTS} are allowed.`,
    );
  }
  for (const pc of constraints) {
    if (pc.type !== 'memberOf') {
      throw clientError("Task definition placement constraints must have type 'memberOf'.");
    }
    const expression = pc.expression ?? '';
    if (expression.trim() === '') {
      throw clientError(
        "A 'memberOf' placement constraint needs an expression, e.g. attribute:ecs.os-type == linux.",
      );
    }
    if (expression.length > MAX_CONSTRAINT_EXPRESSION_LENGTH) {
      throw clientError(
        `Placement constraint expression is longer than ${MAX_CONSTRAINT_EXPRESSION_LENGTH} characters.`,
      );
    }
  }
}

/** Containers' reservations must fit the task's size when the task has one. */
function validateTotals(containers: readonly ContainerDefinition[], facts: TaskFacts): void {
  if (facts.taskCpu !== undefined) {
    const cpu = containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0);
    if (cpu > facts.taskCpu) {
      throw clientError(
        `The sum of all container 'cpu' values (${cpu}) cannot be greater than the value of the task 'cpu' ` +
          `(${facts.taskCpu}). Lower the containers' cpu or raise the task cpu.`,
      );
    }
  }
  if (facts.taskMemory !== undefined) {
    // Placement reserves memoryReservation where set, else memory: the same figure is checked here.
    const memory = containers.reduce((sum, c) => sum + (c.memoryReservation ?? c.memory ?? 0), 0);
    if (memory > facts.taskMemory) {
      throw clientError(
        `The sum of all container 'memoryReservation' values (memory where none is set: ${memory} MiB) cannot ` +
          `be greater than the value of the task 'memory' (${facts.taskMemory} MiB).`,
      );
    }
  }
}
