/**
 * Test helpers for the agent's task parts: a delivered task, and a fake engine that records what it is
 * given (the Docker engine is tested on its own).
 */
import type { AcsTask } from '../../acs/payload.js';
import type { TaskEngine, TaskState } from '../tasks/contracts.js';

export function acsTask(id: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): AcsTask {
  return {
    arn: `arn:aws:ecs:us-east-1:123456789012:task/edge/${id}`,
    taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
    family: 'web',
    version: '1',
    desiredStatus,
    desiredStatusSeq: desiredStatus === 'RUNNING' ? 1 : 2,
    containers: [{ name: 'web', image: 'busybox', essential: true, environment: { SECRET: 's3cr3t' } }],
  };
}

/** Records every accepted task; lists them as the engine would, keeping their known status. */
export class FakeTaskEngine implements TaskEngine {
  readonly accepted: AcsTask[] = [];
  readonly #tasks = new Map<string, TaskState>();
  #listener: ((task: AcsTask) => void) | undefined;

  constructor(restored: readonly TaskState[] = []) {
    for (const s of restored) this.#tasks.set(s.task.arn, s);
  }

  accept(task: AcsTask): void {
    this.accepted.push(task);
    const known = this.#tasks.get(task.arn);
    this.#tasks.set(
      task.arn,
      known
        ? { ...known, task }
        : {
            task,
            knownStatus: 'NONE',
            containers: task.containers.map((c) => ({ name: c.name, knownStatus: 'NONE' })),
          },
    );
    this.#listener?.(task);
  }

  tasks(): ReadonlyMap<string, TaskState> {
    return this.#tasks;
  }

  /** Resolves with the next accepted task that `match` approves. */
  next(match: (task: AcsTask) => boolean = () => true): Promise<AcsTask> {
    return new Promise((resolve) => {
      const previous = this.#listener;
      this.#listener = (task) => {
        previous?.(task);
        if (match(task)) {
          this.#listener = previous;
          resolve(task);
        }
      };
    });
  }
}
