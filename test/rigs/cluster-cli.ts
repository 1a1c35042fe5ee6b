/**
 * The AWS CLI calls a user makes against one cluster of a test server, and what the CLI prints for them. The
 * end-to-end rigs (test/rigs/tasks-e2e-rig.ts, test/rigs/partition-rig.ts) and suites hold one of these.
 */
import assert from 'node:assert/strict';
import type { TestServer } from './harness.js';

/** A container as `aws ecs describe-tasks` prints it. */
export interface CliContainer {
  readonly name: string;
  readonly image?: string;
  readonly lastStatus?: string;
  readonly runtimeId?: string;
  readonly exitCode?: number;
  readonly reason?: string;
  readonly healthStatus?: string;
  readonly networkBindings?: readonly {
    bindIP?: string;
    containerPort?: number;
    hostPort?: number;
    protocol?: string;
  }[];
}

/** A task as `aws ecs describe-tasks` prints it; the CLI prints timestamps as it received them. */
export interface CliTask {
  readonly taskArn: string;
  readonly lastStatus?: string;
  readonly desiredStatus?: string;
  readonly launchType?: string;
  readonly containerInstanceArn?: string;
  readonly connectivity?: string;
  readonly connectivityAt?: number | string;
  readonly healthStatus?: string;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly createdAt?: number | string;
  readonly pullStartedAt?: number | string;
  readonly pullStoppedAt?: number | string;
  readonly startedAt?: number | string;
  readonly stoppingAt?: number | string;
  readonly executionStoppedAt?: number | string;
  readonly stoppedAt?: number | string;
  readonly containers: readonly CliContainer[];
}

export interface Failure {
  readonly arn?: string;
  readonly reason: string;
  readonly detail?: string;
}

/** What `aws ecs run-task`, `start-task` and `describe-tasks` print. */
export interface RunTaskOutput {
  readonly tasks: readonly CliTask[];
  readonly failures: readonly Failure[];
}

/** A container instance as `aws ecs describe-container-instances` prints it. */
export interface CliInstance {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId?: string;
  readonly status?: string;
  readonly statusReason?: string;
  readonly agentConnected?: boolean;
  readonly runningTasksCount?: number;
}

/** Milliseconds since the epoch of a CLI timestamp (epoch seconds, or ISO 8601 with a configured format). */
export function ms(value: number | string | undefined): number {
  assert.ok(value !== undefined, 'timestamp present');
  return typeof value === 'number' ? value * 1000 : Date.parse(value);
}

export function container(task: CliTask, name: string): CliContainer {
  const c = task.containers.find((x) => x.name === name);
  assert.ok(c, `container ${name} in ${task.taskArn}`);
  return c;
}

export class ClusterCli {
  constructor(
    readonly t: Pick<TestServer, 'awsJson'>,
    readonly cluster: string,
  ) {}

  /** `aws ecs <args> --cluster C`, parsed; throws with the CLI's stderr on failure. */
  ecs<T = Record<string, unknown>>(...args: string[]): Promise<T> {
    return this.t.awsJson<T>(['ecs', ...args, '--cluster', this.cluster]);
  }

  /** `aws ecs register-task-definition --cli-input-json <definition>`; returns the ARN. */
  async registerTaskDefinition(definition: Record<string, unknown>): Promise<string> {
    const out = await this.t.awsJson<{ taskDefinition: { taskDefinitionArn: string } }>([
      'ecs',
      'register-task-definition',
      '--cli-input-json',
      JSON.stringify(definition),
    ]);
    return out.taskDefinition.taskDefinitionArn;
  }

  /** `aws ecs describe-tasks`, with no failures; the tasks in the order asked. */
  async describeTasks(arns: readonly string[]): Promise<CliTask[]> {
    const out = await this.ecs<RunTaskOutput>('describe-tasks', '--tasks', ...arns);
    assert.deepEqual(out.failures, []);
    // In the order asked, whatever order the server answers in.
    return arns.map((arn) => {
      const task = out.tasks.find((x) => x.taskArn === arn);
      assert.ok(task, `task ${arn} described`);
      return task;
    });
  }

  async describeTask(arn: string): Promise<CliTask> {
    const [task] = await this.describeTasks([arn]);
    assert.ok(task);
    return task;
  }

  /** `aws ecs describe-container-instances` of one instance; undefined if the CLI prints none. */
  async describeInstance(instanceArn: string): Promise<CliInstance | undefined> {
    const out = await this.ecs<{ containerInstances: CliInstance[] }>(
      'describe-container-instances',
      '--container-instances',
      instanceArn,
    );
    return out.containerInstances[0];
  }
}
