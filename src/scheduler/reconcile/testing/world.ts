/**
 * A simulated cluster for reconciler tests: instances, one service, its deployments and tasks, and a clock.
 * `step()` runs the reconciler and applies its plan the way the controller's applier does (tasks placed
 * PENDING, stops as desired STOPPED, deployments and state updated, a rollback deployment created); the
 * `agent*` methods play the agents (start, stop, fail tasks). Pure: no I/O, deterministic.
 */
import { EMPTY_SERVICE_STATE, type ServiceState } from '../../../domain/service-record.js';
import type { HealthStatus } from '../../../domain/status.js';
import { instance, requirements, type InstanceSpec } from '../../testing/fixtures.js';
import type { PlacedTask } from '../../snapshot.js';
import { clusterSnapshot, type ClusterSnapshot } from '../../snapshot.js';
import { HEALTHY_AFTER_RUNNING_MS } from '../health.js';
import { reconcile } from '../reconcile.js';
import type { DeploymentView, ReconcileSettings, ServicePlan, ServiceSpec, ServiceTask } from '../types.js';

export const SETTINGS: ReconcileSettings = {
  healthyAfterRunningMs: HEALTHY_AFTER_RUNNING_MS,
  throttleFreeFailures: 10,
  throttleBaseMs: 5_000,
  throttleMaxMs: 15 * 60_000,
  eventRepeatMs: 6 * 3_600_000,
};

export interface WorldOptions {
  readonly instances?: readonly (InstanceSpec & { readonly id?: string })[];
  readonly service?: Partial<ServiceSpec>;
  readonly settings?: Partial<ReconcileSettings>;
  /** Task size. */
  readonly cpu?: number;
  readonly memory?: number;
  readonly healthChecked?: boolean;
  readonly memberOf?: readonly string[];
}

export class World {
  now = 1_700_000_000_000;
  tasks: ServiceTask[] = [];
  deployments: DeploymentView[];
  state: ServiceState = EMPTY_SERVICE_STATE;
  service: ServiceSpec;
  settings: ReconcileSettings;
  readonly instances = new Map<string, InstanceSpec>();
  readonly disconnectedSince = new Map<string, number>();
  readonly events: string[] = [];
  readonly plans: ServicePlan[] = [];
  #ids = 0;
  #deployments = 0;
  readonly #o: WorldOptions;

  constructor(o: WorldOptions = {}) {
    this.#o = o;
    (o.instances ?? [{}, {}, {}]).forEach((spec, n) => this.instances.set(spec.id ?? `i${n + 1}`, spec));
    this.service = {
      name: 'web',
      status: 'ACTIVE',
      schedulingStrategy: 'REPLICA',
      desiredCount: 3,
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      circuitBreaker: { enable: false, rollback: false },
      healthCheckGracePeriodMs: 0,
      strategies: [{ type: 'spread', field: 'instanceId' }],
      ...o.service,
    };
    this.settings = { ...SETTINGS, ...o.settings };
    this.deployments = [this.#deployment('td:1')];
  }

  #deployment(taskDefinition: string, adopts = false): DeploymentView {
    this.#deployments += 1;
    return {
      id: `ecs-svc/${this.#deployments}`,
      status: 'PRIMARY',
      taskDefinition,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      state: adopts ? { adopts: true } : {},
      requirements: requirements({
        group: `service:${this.service.name}`,
        cpu: this.#o.cpu ?? 256,
        memory: this.#o.memory ?? 512,
        ...(this.#o.memberOf !== undefined && { memberOf: this.#o.memberOf }),
      }),
      healthChecked: this.#o.healthChecked ?? false,
    };
  }

  get primary(): DeploymentView {
    const p = this.deployments[0];
    if (p === undefined) throw new Error('no deployment');
    return p;
  }

  /** UpdateService with a new task definition (or forceNewDeployment). */
  deploy(taskDefinition: string): void {
    this.deployments = [
      this.#deployment(taskDefinition),
      ...this.deployments.map((d): DeploymentView => ({ ...d, status: 'ACTIVE' })),
    ];
  }

  snapshot(): ClusterSnapshot {
    const held = {
      cpu: this.#o.cpu ?? 256,
      memory: this.#o.memory ?? 512,
      tcpPorts: [],
      udpPorts: [],
      gpuIds: [],
    };
    return clusterSnapshot(
      [...this.instances].map(([id, spec]) =>
        instance(id, {
          ...spec,
          tasks: [
            ...(spec.tasks ?? []),
            ...this.tasks
              .filter((t) => t.lastStatus !== 'STOPPED' && t.instanceArn.endsWith(`/${id}`))
              .map((t): PlacedTask => ({
                taskArn: t.arn,
                group: `service:${this.service.name}`,
                desiredRunning: t.desiredStatus === 'RUNNING',
                held,
              })),
          ],
        }),
      ),
    );
  }

  step(): ServicePlan {
    const plan = reconcile({
      now: this.now,
      service: this.service,
      deployments: this.deployments,
      tasks: this.tasks,
      snapshot: this.snapshot(),
      state: this.state,
      settings: this.settings,
      disconnectedSince: this.disconnectedSince,
      seed: this.plans.length + 1,
      newTaskId: () => `t${String(++this.#ids).padStart(3, '0')}`,
    });
    this.#apply(plan);
    this.plans.push(plan);
    this.events.push(...plan.events);
    return plan;
  }

  #apply(plan: ServicePlan): void {
    for (const p of plan.place) {
      const deployment = this.deployments.find((d) => d.id === p.deploymentId);
      this.tasks.push({
        arn: `arn:aws:ecs:us-east-1:123456789012:task/c1/${p.taskId}`,
        id: p.taskId,
        startedBy: p.deploymentId,
        taskDefinition: deployment?.taskDefinition ?? '',
        instanceArn: p.instanceArn,
        lastStatus: 'PENDING',
        desiredStatus: 'RUNNING',
        health: 'UNKNOWN',
        createdAt: this.now,
      });
    }
    const stops = new Set(plan.stop.map((s) => s.taskArn));
    this.tasks = this.tasks.map((t) =>
      stops.has(t.arn) ? { ...t, desiredStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated' } : t,
    );
    const outcomes = new Map(plan.deployments.map((d) => [d.id, d]));
    this.deployments = this.deployments.flatMap((d) => {
      const o = outcomes.get(d.id);
      if (o === undefined) return [d];
      if (o.removed) return [];
      return [{ ...d, failedTasks: o.failedTasks, rolloutState: o.rolloutState, state: o.state }];
    });
    this.state = plan.state;
    if (plan.rollback !== undefined) {
      const back = this.#deployment(plan.rollback.toTaskDefinition, true);
      this.deployments = [back, ...this.deployments.map((d): DeploymentView => ({ ...d, status: 'ACTIVE' }))];
      this.state = { ...this.state, deployments: { ...this.state.deployments, [back.id]: back.state } };
    }
    if (plan.drained) this.service = { ...this.service, status: 'DRAINING' };
  }

  live(): ServiceTask[] {
    return this.tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED');
  }

  /** The agents start every PENDING task the control plane wants running. */
  agentStartAll(filter: (t: ServiceTask) => boolean = () => true): void {
    this.tasks = this.tasks.map((t) =>
      t.lastStatus === 'PENDING' && t.desiredStatus === 'RUNNING' && filter(t)
        ? { ...t, lastStatus: 'RUNNING', startedAt: this.now }
        : t,
    );
  }

  /** The agents stop every task asked to stop. */
  agentStopAll(): void {
    this.tasks = this.tasks.map((t) =>
      t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED' ? { ...t, lastStatus: 'STOPPED' } : t,
    );
  }

  /** A task fails: it never started (PENDING) or its essential container exited (RUNNING). */
  agentFail(arn: string): void {
    this.tasks = this.tasks.map((t): ServiceTask =>
      t.arn === arn
        ? {
            ...t,
            lastStatus: 'STOPPED',
            desiredStatus: 'STOPPED',
            stopCode: t.startedAt === undefined ? 'TaskFailedToStart' : 'EssentialContainerExited',
          }
        : t,
    );
  }

  setHealth(arn: string, health: HealthStatus): void {
    this.tasks = this.tasks.map((t) => (t.arn === arn ? { ...t, health } : t));
  }

  advance(ms: number): void {
    this.now += ms;
  }

  /** Everything that settles by itself: steps with a cooperative agent until the plans are empty. */
  settle(maxSteps = 50): void {
    for (let i = 0; i < maxSteps; i++) {
      const plan = this.step();
      this.agentStartAll();
      this.agentStopAll();
      this.advance(this.settings.healthyAfterRunningMs);
      if (plan.place.length === 0 && plan.stop.length === 0 && this.deployments.length === 1) {
        const again = this.step();
        if (again.place.length === 0 && again.stop.length === 0) return;
      }
    }
  }

  perInstance(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of this.live()) {
      const id = t.instanceArn.split('/').pop() ?? '';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }
}
