/**
 * Second pass of model validation, over a value whose JSON types are known to be right (`check-types.ts` ran
 * first): required members, enums, lengths, ranges and patterns. A violation (an InvalidParameterException
 * in ECS) names the member path and the limit, so the sender knows what to fix.
 */
import { describeBounds, indexPath, keyPath, memberPath, quoteValue } from './describe.js';
import { javaPatternToRegExp } from './java-regex.js';
import { base64ByteLength, codePointLength, memberValue } from './json-value.js';
import type { JsonObject } from './json-value.js';
import { shapeNamed } from './service-model.js';
import type { ServiceModel, Shape, StringShape } from './service-model.js';
import { ShapeViolation } from './shape-violation.js';

function invalid(path: string, message: string): ShapeViolation {
  return new ShapeViolation('constraint', path, message);
}

function outside(n: number, min: number | undefined, max: number | undefined): boolean {
  // NaN (a double sent as "NaN") satisfies no bound.
  return (min !== undefined && !(n >= min)) || (max !== undefined && !(n <= max));
}

/** Throws a ShapeViolation for the first constraint (in member order) the value breaks. */
export function checkConstraints(
  model: ServiceModel,
  shape: Shape,
  value: unknown,
  path: string,
  hidden = false,
): void {
  const secret = hidden || shape.sensitive === true;
  const subject = `'${path}'`;

  switch (shape.type) {
    case 'structure': {
      if (shape.document === true) return;
      const obj = value as JsonObject;
      const members = Object.entries(shape.members);
      if (shape.union === true) {
        const set = members.filter(([name]) => memberValue(obj, name) !== undefined).map(([name]) => name);
        if (set.length !== 1) {
          const names = members.map(([name]) => name).join(', ');
          throw invalid(
            path,
            `Invalid value for ${subject}: set exactly one of ${names}; got ${set.length}.`,
          );
        }
      }
      const required = shape.required ?? [];
      for (const [name, ref] of members) {
        const v = memberValue(obj, name);
        if (v === undefined) {
          if (required.includes(name)) {
            const where = memberPath(path, name);
            throw new ShapeViolation('missing', where, `Missing required parameter '${where}'.`);
          }
          continue;
        }
        checkConstraints(model, shapeNamed(model, ref.shape), v, memberPath(path, name), secret);
      }
      return;
    }
    case 'list': {
      const items = value as readonly unknown[];
      if (outside(items.length, shape.min, shape.max)) {
        throw invalid(
          path,
          `Invalid number of items in ${subject}: must be ${describeBounds(shape.min, shape.max)}, got ${items.length}.`,
        );
      }
      const member = shapeNamed(model, shape.member.shape);
      items.forEach((item, i) => checkConstraints(model, member, item, indexPath(path, i), secret));
      return;
    }
    case 'map': {
      const entries = Object.entries(value as JsonObject);
      if (outside(entries.length, shape.min, shape.max)) {
        throw invalid(
          path,
          `Invalid number of entries in ${subject}: must be ${describeBounds(shape.min, shape.max)}, got ${entries.length}.`,
        );
      }
      const keyShape = shapeNamed(model, shape.key.shape);
      const valueShape = shapeNamed(model, shape.value.shape);
      for (const [k, v] of entries) {
        if (keyShape.type === 'string') checkString(keyShape, k, path, `a key of ${subject}`, secret);
        checkConstraints(model, valueShape, v, keyPath(path, k), secret);
      }
      return;
    }
    case 'string':
      checkString(shape, value as string, path, subject, secret);
      return;
    case 'integer':
    case 'long':
    case 'float':
    case 'double': {
      const n = Number(value);
      if (outside(n, shape.min, shape.max)) {
        const shown = secret ? '' : ` ${String(value)}`;
        throw invalid(
          path,
          `Invalid value${shown} for ${subject}: must be ${describeBounds(shape.min, shape.max)}.`,
        );
      }
      return;
    }
    case 'blob': {
      const bytes = base64ByteLength(value as string);
      if (outside(bytes, shape.min, shape.max)) {
        throw invalid(
          path,
          `Invalid length for ${subject}: must be ${describeBounds(shape.min, shape.max)} bytes, got ${bytes}.`,
        );
      }
      return;
    }
    case 'boolean':
    case 'timestamp':
      return;
  }
}

/** Enum, then length, then pattern: the most specific complaint first. */
function checkString(
  shape: StringShape,
  value: string,
  path: string,
  subject: string,
  secret: boolean,
): void {
  const shown = secret ? '' : ` ${quoteValue(value)}`;
  if (shape.enum !== undefined && !shape.enum.includes(value)) {
    throw invalid(path, `Invalid value${shown} for ${subject}. Valid values: ${shape.enum.join(', ')}.`);
  }
  // A string has between ceil(units / 2) and `units` code points; count them only when that range does not
  // settle the bounds (PutLogEvents checks 10,000 messages a call).
  const units = value.length;
  const settled =
    (shape.min === undefined || Math.ceil(units / 2) >= shape.min) &&
    (shape.max === undefined || units <= shape.max);
  const length = settled ? units : codePointLength(value);
  if (!settled && outside(length, shape.min, shape.max)) {
    throw invalid(
      path,
      `Invalid length for ${subject}: must be ${describeBounds(shape.min, shape.max)} characters, got ${length}.`,
    );
  }
  if (shape.pattern !== undefined && !javaPatternToRegExp(shape.pattern).test(value)) {
    throw invalid(path, `Invalid value${shown} for ${subject}: must match the pattern ${shape.pattern}.`);
  }
}
