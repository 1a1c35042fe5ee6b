/**
 * The bundled service models, read once when this module is first imported.
 *
 * Node 20 cannot `import … with { type: 'json' }` under our compiler settings, so the JSON is read with a
 * CommonJS `require` relative to this file. The build must therefore copy `src/ecs/model/*.json` next
 * to the compiled `dist/ecs/model/load-model.js`.
 */
import { createRequire } from 'node:module';
import { parseServiceModel } from './service-model.js';
import type { ServiceModel } from './service-model.js';

const require = createRequire(import.meta.url);

function load(file: string): ServiceModel {
  const raw: unknown = require(file);
  return parseServiceModel(raw, file);
}

/** Amazon ECS, every operation. */
export const ecsModel: ServiceModel = load('./ecs.json');
/** SSM: the activation and managed-instance subset. */
export const ssmModel: ServiceModel = load('./ssm.json');
/** CloudWatch Logs: the log group, stream and event subset. */
export const logsModel: ServiceModel = load('./logs.json');

const MODELS = { ecs: ecsModel, ssm: ssmModel, logs: logsModel } as const;

export type ModelName = keyof typeof MODELS;

/** A bundled model by service name (already loaded: this does no I/O). */
export function loadModel(name: ModelName): ServiceModel {
  return MODELS[name];
}
