/**
 * First pass of model validation: is every value present of the JSON type its shape needs?
 *
 * This is what an AWS JSON service's deserializer does before any validation runs, so a mismatch anywhere in
 * the body (a SerializationException in ECS) wins over a constraint violation elsewhere.
 */
import { describeExpected, describeValue, indexPath, keyPath, memberPath } from './describe.js';
import { isBase64, isIso8601, isJsonObject, memberValue } from './json-value.js';
import { shapeNamed } from './service-model.js';
import type { ServiceModel, Shape } from './service-model.js';
import { ShapeViolation } from './shape-violation.js';

// Java's int and long, which is what the services deserialize `integer` and `long` into.
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_LIMIT = 2 ** 63;
const FLOAT_MAX = 3.4028234663852886e38;
// awsJson sends the non-finite floating point values as strings.
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/** No closure per call: this runs for every value of a 10,000-event PutLogEvents batch. */
function typeError(
  shape: Shape,
  value: unknown,
  path: string,
  secret: boolean,
  expected?: string,
): ShapeViolation {
  return new ShapeViolation(
    'type',
    path,
    `Unexpected value at '${path}': expected ${expected ?? describeExpected(shape)}, got ${describeValue(value, secret)}.`,
  );
}

/** Throws a `type` ShapeViolation for the first value (in member order) whose JSON type is wrong. */
export function checkTypes(
  model: ServiceModel,
  shape: Shape,
  value: unknown,
  path: string,
  hidden = false,
): void {
  const secret = hidden || shape.sensitive === true;

  switch (shape.type) {
    case 'structure': {
      if (shape.document === true) return;
      if (!isJsonObject(value)) throw typeError(shape, value, path, secret);
      for (const [name, ref] of Object.entries(shape.members)) {
        const v = memberValue(value, name);
        if (v !== undefined)
          checkTypes(model, shapeNamed(model, ref.shape), v, memberPath(path, name), secret);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) throw typeError(shape, value, path, secret);
      const member = shapeNamed(model, shape.member.shape);
      value.forEach((item: unknown, i) => checkTypes(model, member, item, indexPath(path, i), secret));
      return;
    }
    case 'map': {
      if (!isJsonObject(value)) throw typeError(shape, value, path, secret);
      const member = shapeNamed(model, shape.value.shape);
      for (const [k, v] of Object.entries(value)) checkTypes(model, member, v, keyPath(path, k), secret);
      return;
    }
    case 'string':
      if (typeof value !== 'string') throw typeError(shape, value, path, secret);
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(shape, value, path, secret);
      if (value < INT_MIN || value > INT_MAX)
        throw typeError(shape, value, path, secret, `an integer between ${INT_MIN} and ${INT_MAX}`);
      return;
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(shape, value, path, secret);
      if (value < -LONG_LIMIT || value >= LONG_LIMIT) {
        throw typeError(
          shape,
          value,
          path,
          secret,
          'an integer between -9223372036854775808 and 9223372036854775807',
        );
      }
      return;
    case 'float':
    case 'double':
      if (typeof value === 'string' && NON_FINITE.has(value)) return;
      if (typeof value !== 'number') throw typeError(shape, value, path, secret);
      if (shape.type === 'float' && Math.abs(value) > FLOAT_MAX)
        throw typeError(shape, value, path, secret, 'a number in the range of a float');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw typeError(shape, value, path, secret);
      return;
    case 'timestamp':
      // awsJson's timestamps are epoch seconds; an ISO-8601 string is accepted too, as hand-written
      // requests (and some tools) send one.
      if (typeof value === 'number' && Number.isFinite(value)) return;
      if (typeof value === 'string' && isIso8601(value)) return;
      throw typeError(shape, value, path, secret);
    case 'blob':
      if (typeof value !== 'string' || !isBase64(value)) throw typeError(shape, value, path, secret);
      return;
  }
}
