/**
 * The machine facts of a botocore service model, as `scripts/gen-model.py` writes them to `ecs.json`,
 * `ssm.json` and `logs.json` (documentation stripped, only the operations Berth serves).
 *
 * In the Smithy/botocore vocabulary, `min`/`max` mean a length for strings, blobs, lists and maps, and a value
 * range for numbers; `pattern` is a Java regular expression (see `java-regex.ts`).
 */

export interface ShapeRef {
  readonly shape: string;
  /** A member may override its target's timestamp format. */
  readonly timestampFormat?: TimestampFormat;
}

export type TimestampFormat = 'unixTimestamp' | 'iso8601' | 'rfc822';

interface ShapeCommon {
  /** The value must never be echoed, e.g. in an error message. */
  readonly sensitive?: boolean;
}

interface Bounded {
  readonly min?: number;
  readonly max?: number;
}

export interface StructureShape extends ShapeCommon {
  readonly type: 'structure';
  /** In declaration order, which is the order the validator walks them. */
  readonly members: Readonly<Record<string, ShapeRef>>;
  readonly required?: readonly string[];
  readonly exception?: boolean;
  readonly fault?: boolean;
  /** Query-protocol error details; absent from the JSON services Berth serves. */
  readonly error?: Readonly<Record<string, unknown>>;
  /** A document: any JSON value, not checked. */
  readonly document?: boolean;
  /** Exactly one member may be set. */
  readonly union?: boolean;
}

export interface ListShape extends ShapeCommon, Bounded {
  readonly type: 'list';
  readonly member: ShapeRef;
}

export interface MapShape extends ShapeCommon, Bounded {
  readonly type: 'map';
  readonly key: ShapeRef;
  readonly value: ShapeRef;
}

export interface StringShape extends ShapeCommon, Bounded {
  readonly type: 'string';
  /** Valid values, in the model's order. */
  readonly enum?: readonly string[];
  readonly pattern?: string;
}

export interface NumberShape extends ShapeCommon, Bounded {
  readonly type: 'integer' | 'long' | 'float' | 'double';
}

export interface BooleanShape extends ShapeCommon {
  readonly type: 'boolean';
}

export interface TimestampShape extends ShapeCommon {
  readonly type: 'timestamp';
  readonly timestampFormat?: TimestampFormat;
}

export interface BlobShape extends ShapeCommon, Bounded {
  readonly type: 'blob';
}

export type Shape =
  | StructureShape
  | ListShape
  | MapShape
  | StringShape
  | NumberShape
  | BooleanShape
  | TimestampShape
  | BlobShape;

export type ShapeType = Shape['type'];

export interface OperationModel {
  readonly input: string | null;
  readonly output: string | null;
  readonly errors: readonly string[];
}

export interface ServiceMetadata {
  /** The part of `X-Amz-Target` before the dot, e.g. `AmazonEC2ContainerServiceV20141113`. */
  readonly targetPrefix: string;
  readonly jsonVersion: string;
  readonly signingName: string;
  readonly apiVersion: string;
}

export interface ServiceModel {
  readonly metadata: ServiceMetadata;
  readonly operations: Readonly<Record<string, OperationModel>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

const SHAPE_TYPES: ReadonlySet<string> = new Set<ShapeType>([
  'structure',
  'list',
  'map',
  'string',
  'integer',
  'long',
  'float',
  'double',
  'boolean',
  'timestamp',
  'blob',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a freshly loaded model file enough that the validator can trust it: the expected sections, a known
 * type on every shape, and every reference resolving. Throws a plain Error: a bad model is a build fault, not
 * something a caller did.
 */
export function parseServiceModel(raw: unknown, source: string): ServiceModel {
  const fail = (why: string): never => {
    throw new Error(`${source}: not a service model (${why}); regenerate it with scripts/gen-model.py`);
  };
  if (!isRecord(raw)) return fail('not an object');
  const { metadata, operations, shapes } = raw;
  if (!isRecord(metadata) || typeof metadata.targetPrefix !== 'string')
    return fail('no metadata.targetPrefix');
  if (!isRecord(operations) || !isRecord(shapes)) return fail('no operations or shapes');

  const resolves = (name: unknown, where: string): void => {
    if (typeof name !== 'string' || !Object.hasOwn(shapes, name))
      fail(`${where} refers to unknown shape ${String(name)}`);
  };
  for (const [name, shape] of Object.entries(shapes)) {
    if (!isRecord(shape) || typeof shape.type !== 'string' || !SHAPE_TYPES.has(shape.type)) {
      return fail(`shape ${name} has no known type`);
    }
    if (shape.type === 'structure' && !isRecord(shape.members))
      return fail(`structure ${name} has no members`);
    const refs = [
      ...Object.values(isRecord(shape.members) ? shape.members : {}),
      shape.member,
      shape.key,
      shape.value,
    ];
    for (const ref of refs)
      if (ref !== undefined) resolves(isRecord(ref) ? ref.shape : undefined, `shape ${name}`);
  }
  for (const [name, op] of Object.entries(operations)) {
    if (!isRecord(op)) return fail(`operation ${name} is not an object`);
    for (const key of ['input', 'output'] as const)
      if (op[key] !== null) resolves(op[key], `operation ${name}`);
  }
  return raw as unknown as ServiceModel;
}

/** The shape a model names; a dangling name is a model fault (and `parseServiceModel` rules it out). */
export function shapeNamed(model: ServiceModel, name: string): Shape {
  const shape = Object.hasOwn(model.shapes, name) ? model.shapes[name] : undefined;
  if (shape === undefined) throw new Error(`The service model has no shape ${name}`);
  return shape;
}
