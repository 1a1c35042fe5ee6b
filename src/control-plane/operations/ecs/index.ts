/**
 * The ECS API as Berth serves it: every operation in one table. To add one, write
 * `<area>/<operation-name>.ts` exporting a `defineOperation(...)` and list it here.
 */
import { loadModel } from '../../../ecs/model/index.js';
import type { ServiceDefinition } from '../operation.js';
import { deleteAttributes } from './attributes/delete-attributes.js';
import { listAttributes } from './attributes/list-attributes.js';
import { putAttributes } from './attributes/put-attributes.js';
import { deregisterContainerInstance } from './container-instances/deregister-container-instance.js';
import { describeContainerInstances } from './container-instances/describe-container-instances.js';
import { discoverPollEndpoint } from './container-instances/discover-poll-endpoint.js';
import { listContainerInstances } from './container-instances/list-container-instances.js';
import { registerContainerInstance } from './container-instances/register-container-instance.js';
import { updateContainerInstancesState } from './container-instances/update-container-instances-state.js';
import { createCluster } from './clusters/create-cluster.js';
import { deleteCluster } from './clusters/delete-cluster.js';
import { describeClusters } from './clusters/describe-clusters.js';
import { listClusters } from './clusters/list-clusters.js';
import { updateClusterSettings } from './clusters/update-cluster-settings.js';
import { updateCluster } from './clusters/update-cluster.js';
import { deleteTaskDefinitions } from './task-definitions/delete-task-definitions.js';
import { deregisterTaskDefinition } from './task-definitions/deregister-task-definition.js';
import { describeTaskDefinition } from './task-definitions/describe-task-definition.js';
import { listTaskDefinitionFamilies } from './task-definitions/list-task-definition-families.js';
import { listTaskDefinitions } from './task-definitions/list-task-definitions.js';
import { registerTaskDefinition } from './task-definitions/register-task-definition.js';
import { describeTasks } from './tasks/describe-tasks.js';
import { listTasks } from './tasks/list-tasks.js';
import { runTask } from './tasks/run-task.js';
import { startTask } from './tasks/start-task.js';
import { stopTask } from './tasks/stop-task.js';
import { submitContainerStateChange } from './tasks/submit-container-state-change.js';
import { submitTaskStateChange } from './tasks/submit-task-state-change.js';
import { createService } from './services/create-service.js';
import { deleteService } from './services/delete-service.js';
import { describeServices } from './services/describe-services.js';
import { listServices } from './services/list-services.js';
import { updateService } from './services/update-service.js';
import { listTagsForResource } from './tags/list-tags-for-resource.js';
import { tagResource } from './tags/tag-resource.js';
import { untagResource } from './tags/untag-resource.js';

const operations = [
  registerContainerInstance,
  discoverPollEndpoint,
  describeContainerInstances,
  listContainerInstances,
  updateContainerInstancesState,
  deregisterContainerInstance,
  putAttributes,
  deleteAttributes,
  listAttributes,
  registerTaskDefinition,
  describeTaskDefinition,
  listTaskDefinitions,
  listTaskDefinitionFamilies,
  deregisterTaskDefinition,
  deleteTaskDefinitions,
  describeTasks,
  listTasks,
  runTask,
  startTask,
  stopTask,
  submitTaskStateChange,
  submitContainerStateChange,
  listTagsForResource,
  tagResource,
  untagResource,
  createCluster,
  deleteCluster,
  describeClusters,
  listClusters,
  updateCluster,
  updateClusterSettings,
  createService,
  updateService,
  deleteService,
  describeServices,
  listServices,
];

export const ecsService: ServiceDefinition = {
  targetPrefix: 'AmazonEC2ContainerServiceV20141113',
  signingName: 'ecs',
  model: loadModel('ecs'),
  operations: new Map(operations.map((op) => [op.name, op])),
};
