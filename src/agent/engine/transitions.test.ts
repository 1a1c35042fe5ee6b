import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AcsContainer, AcsDependsOn } from '../../acs/payload.js';
import { KNOWN_STATUSES, type KnownStatus } from '../../domain/status.js';
import type { ContainerState } from '../tasks/contracts.js';
import { dependenciesOf, dependentsOf, graphProblem, type ContainerView } from './dependencies.js';
import { nextTransition, type TaskView, type Transition } from './transitions.js';

const NOW = 1_000_000;

function def(name: string, extra: Partial<AcsContainer> = {}): AcsContainer {
  return { name, image: 'img', essential: true, ...extra };
}

function view(
  d: AcsContainer,
  knownStatus: KnownStatus,
  extra: Partial<ContainerState> = {},
  more: Partial<ContainerView> = {},
): ContainerView {
  return { def: d, state: { name: d.name, knownStatus, ...extra }, ...more };
}

function next(
  desired: 'RUNNING' | 'STOPPED',
  containers: ContainerView[],
  name = containers[0]!.def.name,
): Transition {
  const task: TaskView = { desired, containers };
  return nextTransition(
    task,
    containers.find((c) => c.def.name === name)!,
    NOW,
  );
}

void describe('nextTransition: known x desired, one container', () => {
  // Every known status against both desired statuses: the progression towards RUNNING, straight to STOPPED
  // (without a Docker call) while nothing exists in Docker, and a docker stop once it does.
  const expected: Record<'RUNNING' | 'STOPPED', Record<KnownStatus, Transition>> = {
    RUNNING: {
      NONE: { next: 'PULLED', actionRequired: true },
      PULLED: { next: 'CREATED', actionRequired: true },
      CREATED: { next: 'RUNNING', actionRequired: true },
      RUNNING: { actionRequired: false },
      STOPPED: { actionRequired: false },
    },
    STOPPED: {
      NONE: { next: 'STOPPED', actionRequired: false },
      PULLED: { next: 'STOPPED', actionRequired: false },
      CREATED: { next: 'STOPPED', actionRequired: true },
      RUNNING: { next: 'STOPPED', actionRequired: true },
      STOPPED: { actionRequired: false },
    },
  };
  for (const desired of ['RUNNING', 'STOPPED'] as const) {
    for (const known of KNOWN_STATUSES) {
      void it(`${known} towards ${desired}`, () => {
        assert.deepEqual(next(desired, [view(def('a'), known)]), expected[desired][known]);
      });
    }
  }

  void it('waits while an action towards the next status is in flight', () => {
    for (const known of ['NONE', 'PULLED', 'CREATED'] as const) {
      const applied = known === 'NONE' ? 'PULLED' : known === 'PULLED' ? 'CREATED' : 'RUNNING';
      assert.deepEqual(next('RUNNING', [view(def('a'), known, {}, { applied })]), { actionRequired: false });
    }
  });

  void it('stopping: a pull in flight does not hold it up, a create or start in flight does', () => {
    assert.deepEqual(next('STOPPED', [view(def('a'), 'NONE', {}, { applied: 'PULLED' })]), {
      next: 'STOPPED',
      actionRequired: false,
    });
    assert.deepEqual(next('STOPPED', [view(def('a'), 'CREATED', {}, { applied: 'RUNNING' })]), {
      actionRequired: false,
    });
    assert.deepEqual(next('STOPPED', [view(def('a'), 'RUNNING', {}, { applied: 'STOPPED' })]), {
      actionRequired: false,
    });
  });
});

void describe('nextTransition: dependencies', () => {
  const dependent = (condition: AcsDependsOn['condition'], extra: Partial<AcsContainer> = {}) =>
    def('app', { dependsOn: [{ containerName: 'dep', condition }], ...extra });
  const healthy = def('dep', { healthCheckType: 'docker', startTimeout: 10 });

  void it('pulls never wait for dependencies', () => {
    assert.deepEqual(next('RUNNING', [view(dependent('SUCCESS'), 'NONE'), view(def('dep'), 'NONE')]), {
      next: 'PULLED',
      actionRequired: true,
    });
  });

  const cases: readonly [string, AcsDependsOn['condition'], ContainerView, Transition][] = [
    [
      'START waits for the dependency to run',
      'START',
      view(def('dep'), 'CREATED'),
      {
        actionRequired: false,
        blockedOn: { container: 'dep', condition: 'START' },
      },
    ],
    [
      'START is met by a running dependency',
      'START',
      view(def('dep'), 'RUNNING'),
      { next: 'RUNNING', actionRequired: true },
    ],
    [
      'START is met by one that ran and exited',
      'START',
      view(def('dep'), 'STOPPED', { exitCode: 1 }),
      {
        next: 'RUNNING',
        actionRequired: true,
      },
    ],
    [
      'START can never be met by one that never ran',
      'START',
      view(def('dep'), 'STOPPED', { reason: 'CannotPullContainerError: x' }),
      {
        actionRequired: false,
        reason: 'container dep never started, so app (dependsOn START) cannot start',
      },
    ],
    [
      'COMPLETE waits while it runs',
      'COMPLETE',
      view(def('dep'), 'RUNNING'),
      {
        actionRequired: false,
        blockedOn: { container: 'dep', condition: 'COMPLETE' },
      },
    ],
    [
      'COMPLETE is met by any exit',
      'COMPLETE',
      view(def('dep'), 'STOPPED', { exitCode: 3 }),
      { next: 'RUNNING', actionRequired: true },
    ],
    [
      'SUCCESS is met by exit 0',
      'SUCCESS',
      view(def('dep'), 'STOPPED', { exitCode: 0 }),
      { next: 'RUNNING', actionRequired: true },
    ],
    [
      'SUCCESS can never be met after exit 2',
      'SUCCESS',
      view(def('dep'), 'STOPPED', { exitCode: 2 }),
      {
        actionRequired: false,
        reason: 'container dep exited with code 2, so app (dependsOn SUCCESS) cannot start',
      },
    ],
    [
      'HEALTHY waits for healthy',
      'HEALTHY',
      view(healthy, 'RUNNING', { healthStatus: 'UNKNOWN' }),
      {
        actionRequired: false,
        blockedOn: { container: 'dep', condition: 'HEALTHY' },
      },
    ],
    [
      'HEALTHY is met by healthy',
      'HEALTHY',
      view(healthy, 'RUNNING', { healthStatus: 'HEALTHY' }),
      {
        next: 'RUNNING',
        actionRequired: true,
      },
    ],
    [
      'HEALTHY can never be met without a health check',
      'HEALTHY',
      view(def('dep'), 'RUNNING'),
      {
        actionRequired: false,
        reason: 'container dep has no health check, so app (dependsOn HEALTHY) cannot start',
      },
    ],
    [
      'HEALTHY can never be met once it stopped',
      'HEALTHY',
      view(healthy, 'STOPPED', { exitCode: 0 }),
      {
        actionRequired: false,
        reason: 'container dep stopped before it was healthy, so app cannot start',
      },
    ],
    [
      "the dependency's startTimeout bounds the wait (deadline reported)",
      'HEALTHY',
      view(healthy, 'RUNNING', { healthStatus: 'UNHEALTHY' }, { startedAt: NOW - 4_000 }),
      {
        actionRequired: false,
        blockedOn: { container: 'dep', condition: 'HEALTHY', deadline: NOW + 6_000 },
      },
    ],
    [
      'past the startTimeout the dependent gives up',
      'HEALTHY',
      view(healthy, 'RUNNING', { healthStatus: 'UNHEALTHY' }, { startedAt: NOW - 10_000 }),
      {
        actionRequired: false,
        reason: 'container dep did not reach HEALTHY within its startTimeout of 10s, so app cannot start',
      },
    ],
    [
      'startTimeout also bounds SUCCESS',
      'SUCCESS',
      view(def('dep', { startTimeout: 2 }), 'RUNNING', {}, { startedAt: NOW - 2_000 }),
      {
        actionRequired: false,
        reason: 'container dep did not reach SUCCESS within its startTimeout of 2s, so app cannot start',
      },
    ],
  ];
  for (const [name, condition, dep, expected] of cases) {
    void it(name, () =>
      assert.deepEqual(next('RUNNING', [view(dependent(condition), 'CREATED'), dep]), expected),
    );
  }

  void it('an impossible dependency is found even before the dependent is created', () => {
    const t = next('RUNNING', [
      view(dependent('SUCCESS'), 'NONE'),
      view(def('dep'), 'STOPPED', { exitCode: 1 }),
    ]);
    assert.match(t.reason ?? '', /exited with code 1/);
  });

  void it('links and volumesFrom need the other container to exist before create and to run before start', () => {
    const app = def('app', { links: ['db:database'], volumesFrom: [{ sourceContainer: 'data' }] });
    assert.deepEqual(dependenciesOf(app), [
      { container: 'db', condition: 'START', beforeCreate: true },
      { container: 'data', condition: 'START', beforeCreate: true },
    ]);
    const blocked = next('RUNNING', [
      view(app, 'PULLED'),
      view(def('db'), 'PULLED'),
      view(def('data'), 'CREATED'),
    ]);
    assert.deepEqual(blocked, {
      actionRequired: false,
      blockedOn: { container: 'db', condition: 'CREATED' },
    });
    const create = next('RUNNING', [
      view(app, 'PULLED'),
      view(def('db'), 'CREATED'),
      view(def('data'), 'CREATED'),
    ]);
    assert.deepEqual(create, { next: 'CREATED', actionRequired: true });
    const start = next('RUNNING', [
      view(app, 'CREATED'),
      view(def('db'), 'RUNNING'),
      view(def('data'), 'CREATED'),
    ]);
    assert.deepEqual(start, { actionRequired: false, blockedOn: { container: 'data', condition: 'START' } });
  });

  void it('stops in reverse order: a dependency waits for its running dependents', () => {
    const app = def('app', { dependsOn: [{ containerName: 'db', condition: 'START' }] });
    const containers = [view(app, 'RUNNING'), view(def('db'), 'RUNNING')];
    assert.deepEqual(next('STOPPED', containers, 'db'), {
      actionRequired: false,
      blockedOn: { container: 'app', condition: 'STOPPED' },
    });
    assert.deepEqual(next('STOPPED', containers, 'app'), { next: 'STOPPED', actionRequired: true });
    assert.deepEqual(next('STOPPED', [view(app, 'STOPPED'), view(def('db'), 'RUNNING')], 'db'), {
      next: 'STOPPED',
      actionRequired: true,
    });
  });

  void it('the dependency graph: unknown containers and cycles are problems, dependents are found', () => {
    assert.equal(graphProblem([def('a', { links: ['b'] }), def('b')]), undefined);
    assert.match(
      graphProblem([def('a', { links: ['zz'] })]) ?? '',
      /depends on container zz, which is not in the task/,
    );
    assert.match(
      graphProblem([
        def('a', { dependsOn: [{ containerName: 'b', condition: 'START' }] }),
        def('b', { volumesFrom: [{ sourceContainer: 'a' }] }),
      ]) ?? '',
      /cycle: a -> b -> a/,
    );
    assert.match(graphProblem([def('a', { links: ['a'] })]) ?? '', /depends on itself/);
    assert.deepEqual(
      dependentsOf('b', [
        def('a', { links: ['b'] }),
        def('b'),
        def('c', { dependsOn: [{ containerName: 'b', condition: 'COMPLETE' }] }),
      ]),
      ['a', 'c'],
    );
  });
});
