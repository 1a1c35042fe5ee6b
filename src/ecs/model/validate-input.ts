/**
 * Checks a parsed awsJson1.1 request body against its operation's input shape, so that every operation gets
 * the model's type, required, enum, length, range and pattern checks before its own semantic checks.
 *
 * Pure: the model is a parameter (`load-model.ts` reads the bundled ones); the walk is `validate-shape.ts`,
 * shared with the agent protocol's codec. Mirrors AWS's JSON services:
 * unknown members are ignored, a null member counts as absent, JSON type errors (found by the deserializer,
 * before any validation) are SerializationExceptions, and constraint violations InvalidParameterExceptions.
 * The first problem in member order is reported, with a path such as `containerDefinitions[0].name`.
 */
import { ApiError } from '../errors.js';
import { describeValue } from './describe.js';
import { isJsonObject } from './json-value.js';
import { shapeNamed } from './service-model.js';
import type { OperationModel, ServiceModel, StructureShape } from './service-model.js';
import { findViolation } from './validate-shape.js';

/** The operations a model defines, sorted. */
export function operationNames(model: ServiceModel): string[] {
  return Object.keys(model.operations).sort();
}

function operationOf(model: ServiceModel, operation: string): OperationModel | undefined {
  // `operation` comes off the wire: an own-property check keeps `constructor` & co. from resolving.
  return Object.hasOwn(model.operations, operation) ? model.operations[operation] : undefined;
}

/** The input structure of an operation; undefined if the model has no such operation or it takes no input. */
export function inputShapeOf(model: ServiceModel, operation: string): StructureShape | undefined {
  const op = operationOf(model, operation);
  if (op?.input == null) return undefined;
  const shape = shapeNamed(model, op.input);
  if (shape.type !== 'structure')
    throw new Error(`Input of ${operation} is a ${shape.type}, not a structure`);
  return shape;
}

/** Throws the ApiError AWS would send for the first problem in `body`; returns if there is none. */
export function validateInput(model: ServiceModel, operation: string, body: unknown): void {
  if (operationOf(model, operation) === undefined) {
    throw new ApiError('UnknownOperationException', `Unknown operation ${operation}.`);
  }
  if (!isJsonObject(body)) {
    throw new ApiError(
      'SerializationException',
      `The request body must be a JSON object, got ${describeValue(body, false)}.`,
    );
  }
  const shape = inputShapeOf(model, operation);
  if (shape === undefined) return;
  const violation = findViolation(model, shape, body);
  if (violation === undefined) return;
  throw new ApiError(
    violation.kind === 'type' ? 'SerializationException' : 'InvalidParameterException',
    violation.message,
  );
}
