/**
 * The protocol-neutral core of model validation: does a parsed JSON value fit a shape of a botocore-format
 * model? ECS's `validate-input.ts` turns a violation into the awsJson error AWS would send; the agent
 * protocol's codec (`acs/codec.ts`) turns one into a refused frame. Pure: the model is a parameter.
 *
 * Two passes, as AWS's JSON services run them: JSON types everywhere first (`check-types.ts`, what a
 * deserializer finds), then required members, enums, lengths, ranges and patterns (`check-constraints.ts`).
 * Unknown members are ignored and a null member counts as absent, so a newer peer's additions pass.
 */
import { checkConstraints } from './check-constraints.js';
import { checkTypes } from './check-types.js';
import { shapeNamed } from './service-model.js';
import type { ServiceModel, Shape } from './service-model.js';
import { ShapeViolation } from './shape-violation.js';

/** The first violation (types before constraints, then member order) of `value` against `shape`, if any. */
export function findViolation(
  model: ServiceModel,
  shape: Shape | string,
  value: unknown,
): ShapeViolation | undefined {
  const resolved = typeof shape === 'string' ? shapeNamed(model, shape) : shape;
  try {
    checkTypes(model, resolved, value, '');
    checkConstraints(model, resolved, value, '');
    return undefined;
  } catch (err) {
    if (err instanceof ShapeViolation) return err;
    throw err;
  }
}
