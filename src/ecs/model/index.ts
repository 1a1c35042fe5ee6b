/**
 * The service models and the input validator built on them. The validator is pure and takes the model as a
 * parameter; the bundled models are read once, when `load-model.ts` is first imported.
 */
export { ecsModel, loadModel, logsModel, ssmModel } from './load-model.js';
export type { ModelName } from './load-model.js';
export { validateInput, operationNames, inputShapeOf } from './validate-input.js';
export { javaPatternToRegExp } from './java-regex.js';
export { parseServiceModel, shapeNamed } from './service-model.js';
export type {
  BlobShape,
  BooleanShape,
  ListShape,
  MapShape,
  NumberShape,
  OperationModel,
  ServiceMetadata,
  ServiceModel,
  Shape,
  ShapeRef,
  ShapeType,
  StringShape,
  StructureShape,
  TimestampFormat,
  TimestampShape,
} from './service-model.js';
export { findViolation } from './validate-shape.js';
export { ShapeViolation } from './shape-violation.js';
export type { ViolationKind } from './shape-violation.js';
