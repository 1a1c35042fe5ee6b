/**
 * Fixtures for the service tests: no agent runs, so the tests play its part through the API, reporting a
 * task RUNNING or STOPPED with SubmitTaskStateChange (an administrator may report for any task), and poll
 * for what the service controller does in between.
 */
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  SubmitTaskStateChangeCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import type { TestServer } from './harness.js';

/** Short timings, so that a rollout takes moments: a pass every 100 ms, healthy 300 ms after RUNNING. */
export const FAST_SERVICES = { intervalMs: 100, healthyAfterRunningMs: 300 } as const;

export async function describeService(t: TestServer, cluster: string, name: string): Promise<Service> {
  const out = await t.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
  const service = out.services?.[0];
  if (service === undefined) throw new Error(`service ${name} not found`);
  return service;
}

/** The service's tasks with the given desired status (RUNNING by default), described. */
export async function serviceTasks(
  t: TestServer,
  cluster: string,
  name: string,
  desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING',
): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await t.ecs.send(
      new ListTasksCommand({ cluster, serviceName: name, desiredStatus, nextToken }),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const out = await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
    tasks.push(...(out.tasks ?? []));
  }
  return tasks;
}

/** What an agent reports: the task (and its containers) reached `status`. */
export async function report(
  t: TestServer,
  cluster: string,
  task: Task,
  status: 'RUNNING' | 'STOPPED',
  reason?: string,
): Promise<void> {
  await t.ecs.send(
    new SubmitTaskStateChangeCommand({
      cluster,
      task: task.taskArn,
      status,
      ...(reason !== undefined && { reason }),
      containers: (task.containers ?? []).map((c) => ({
        containerName: c.name,
        status,
        runtimeId: `docker-${(task.taskArn ?? '').slice(-8)}-${c.name ?? ''}`,
        ...(status === 'STOPPED' && { exitCode: 1 }),
        ...(reason !== undefined && { reason }),
      })),
    }),
  );
}

/** Plays the agents: every PENDING task of the service that the control plane wants running is reported RUNNING. */
export async function startPending(t: TestServer, cluster: string, name: string): Promise<number> {
  let started = 0;
  for (const task of await serviceTasks(t, cluster, name)) {
    if (task.lastStatus === 'PENDING') {
      await report(t, cluster, task, 'RUNNING');
      started += 1;
    }
  }
  return started;
}

/** Plays the agents: every task asked to stop that has not stopped yet is reported STOPPED. */
export async function finishStopping(t: TestServer, cluster: string, name: string): Promise<number> {
  let stopped = 0;
  for (const task of await serviceTasks(t, cluster, name, 'STOPPED')) {
    if (task.lastStatus !== 'STOPPED') {
      await report(t, cluster, task, 'STOPPED');
      stopped += 1;
    }
  }
  return stopped;
}

export const taskIdOf = (arn: string | undefined): string => (arn ?? '').split('/').pop() ?? '';

export interface FakeAgentOptions {
  /** Tasks of these task definition ARNs fail to start: they are reported STOPPED without running. */
  readonly failing?: (taskDefinitionArn: string) => boolean;
  /** How often the agents look for work. @default 40 ms */
  readonly intervalMs?: number;
}

/**
 * Plays every agent of a cluster in the background: PENDING tasks are reported RUNNING (or STOPPED when
 * they are to fail), tasks asked to stop are reported STOPPED. `stop()` ends it.
 */
export function fakeAgents(
  t: TestServer,
  cluster: string,
  o: FakeAgentOptions = {},
): { stop(): Promise<void>; paused: { value: boolean } } {
  let running = true;
  const paused = { value: false };
  const loop = (async () => {
    while (running) {
      if (!paused.value) {
        try {
          await agentTurn(t, cluster, o);
        } catch {
          // The server may be between states (a task purged, a cluster deleted); the next turn sees anew.
        }
      }
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 40));
    }
  })();
  return {
    paused,
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function agentTurn(t: TestServer, cluster: string, o: FakeAgentOptions): Promise<void> {
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    const listed = await t.ecs.send(new ListTasksCommand({ cluster, desiredStatus }));
    const arns = listed.taskArns ?? [];
    if (arns.length === 0) continue;
    const described = await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 100) }));
    for (const task of described.tasks ?? []) {
      if (desiredStatus === 'RUNNING' && task.lastStatus === 'PENDING') {
        if (o.failing?.(task.taskDefinitionArn ?? '') === true) {
          await report(t, cluster, task, 'STOPPED', 'CannotPullContainerError: pull access denied');
        } else {
          await report(t, cluster, task, 'RUNNING');
        }
      } else if (desiredStatus === 'STOPPED' && task.lastStatus !== 'STOPPED') {
        await report(t, cluster, task, 'STOPPED');
      }
    }
  }
}
