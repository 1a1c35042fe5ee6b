/**
 * The pure semantics of RegisterTaskDefinition: what ECS refuses, and what ECS stores and returns for what it
 * accepts. No clock, no ids, no I/O: the caller supplies the ARN, revision and registration time.
 */
export type { TaskDefinitionContext } from './defaults.js';
export { buildTaskDefinition } from './defaults.js';
export { computeCompatibilities, incompatibilityReasons } from './compatibilities.js';
export { computeRequiresAttributes } from './requires-attributes.js';
export { MAX_CONTAINERS, MAX_TASK_DEFINITION_BYTES } from './limits.js';
export { parseCpuUnits, parseMemoryMiB } from './units.js';
export { hostPortOf } from './validate-ports.js';
export { validateTaskDefinitionInput } from './validate-task.js';
