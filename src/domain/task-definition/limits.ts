/** Hard limits of a task definition (ECS service quotas, not adjustable). */
export const MAX_TASK_DEFINITION_BYTES = 65536;
export const MAX_CONTAINERS = 10;
/** Placement constraints per task, counting those given at run time (RegisterTaskDefinitionRequest doc). */
export const MAX_PLACEMENT_CONSTRAINTS = 10;
export const MAX_CONSTRAINT_EXPRESSION_LENGTH = 2000;
/** Task-level CPU for EC2 and EXTERNAL: 0.125 to 192 vCPU. */
export const MIN_TASK_CPU = 128;
export const MAX_TASK_CPU = 196608;
/** Docker 20.10 and later refuse a container memory limit below 6 MiB (ContainerDefinition.memory doc). */
export const MIN_CONTAINER_MEMORY_MIB = 6;
export const MAX_IMAGE_NAME_LENGTH = 255;
