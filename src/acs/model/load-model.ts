/**
 * The agent protocols' models (`acs.json` for the session, `tcs.json` for telemetry; botocore's JSON model
 * format), read once when this module is first imported.
 *
 * As in `ecs/model/load-model.ts`, the JSON is read with a CommonJS `require` relative to this file, so the
 * build copies `src/acs/model/*.json` next to the compiled `dist/acs/model/load-model.js`.
 */
import { createRequire } from 'node:module';
import { parseServiceModel } from '../../ecs/model/service-model.js';
import type { ServiceModel } from '../../ecs/model/service-model.js';

const require = createRequire(import.meta.url);

/** Every session message, one structure per envelope type (the shape is named like the type). */
export const acsModel: ServiceModel = parseServiceModel(require('./acs.json') as unknown, './acs.json');

/** Every telemetry (TCS) message, one structure per envelope type, as in ECS's TCS model. */
export const tcsModel: ServiceModel = parseServiceModel(require('./tcs.json') as unknown, './tcs.json');
