import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ecsModel, logsModel, ssmModel } from './load-model.js';
import { parseServiceModel, shapeNamed } from './service-model.js';

void describe('the bundled service models', () => {
  void it('carry the metadata the wire protocol needs', () => {
    assert.deepEqual(ecsModel.metadata, {
      apiVersion: '2014-11-13',
      jsonVersion: '1.1',
      signingName: 'ecs',
      targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    });
    assert.equal(ssmModel.metadata.targetPrefix, 'AmazonSSM');
    assert.equal(ssmModel.metadata.signingName, 'ssm');
    assert.equal(logsModel.metadata.targetPrefix, 'Logs_20140328');
    assert.equal(logsModel.metadata.signingName, 'logs');
  });

  void it('keep only the SSM and Logs operations Berth serves', () => {
    assert.deepEqual(Object.keys(ssmModel.operations).sort(), [
      'AddTagsToResource',
      'CreateActivation',
      'DeleteActivation',
      'DeregisterManagedInstance',
      'DescribeActivations',
      'DescribeInstanceInformation',
      'ListTagsForResource',
      'RemoveTagsFromResource',
    ]);
    assert.deepEqual(Object.keys(logsModel.operations).sort(), [
      'CreateLogGroup',
      'CreateLogStream',
      'DeleteLogGroup',
      'DeleteLogStream',
      'DeleteRetentionPolicy',
      'DescribeLogGroups',
      'DescribeLogStreams',
      'FilterLogEvents',
      'GetLogEvents',
      'ListTagsForResource',
      'ListTagsLogGroup',
      'PutLogEvents',
      'PutRetentionPolicy',
      'TagLogGroup',
      'TagResource',
      'UntagLogGroup',
      'UntagResource',
    ]);
    assert.ok(Object.keys(ecsModel.operations).length > 60);
  });

  void it('keep no documentation', () => {
    for (const model of [ecsModel, ssmModel, logsModel]) {
      assert.ok(!JSON.stringify(model).includes('documentation'));
    }
  });

  void it('name their error shapes as exceptions', () => {
    const op = ecsModel.operations.RegisterTaskDefinition;
    assert.ok(op?.errors.includes('InvalidParameterException'));
    const shape = shapeNamed(ecsModel, 'ServerException');
    assert.ok(shape.type === 'structure' && shape.exception === true && shape.fault === true);
  });
});

void describe('parseServiceModel', () => {
  const good = {
    metadata: { targetPrefix: 'T', jsonVersion: '1.1', signingName: 't', apiVersion: '1' },
    operations: { Op: { input: 'In', output: null, errors: [] } },
    shapes: { In: { type: 'structure', members: { a: { shape: 'S' } } }, S: { type: 'string' } },
  };

  void it('accepts a well-formed model', () => {
    assert.equal(parseServiceModel(good, 'test').metadata.targetPrefix, 'T');
  });

  void it('rejects dangling references, unknown types and missing sections', () => {
    const cases: unknown[] = [
      null,
      [],
      { ...good, metadata: {} },
      { ...good, shapes: undefined },
      { ...good, shapes: { ...good.shapes, S: { type: 'bignum' } } },
      { ...good, shapes: { In: good.shapes.In } },
      { ...good, operations: { Op: { input: 'Nope', output: null, errors: [] } } },
      { ...good, shapes: { ...good.shapes, L: { type: 'list', member: { shape: 'Gone' } } } },
    ];
    for (const raw of cases)
      assert.throws(() => parseServiceModel(raw, 'test.json'), /test\.json: not a service model/);
  });

  void it('finds shapes by name, but never on Object.prototype', () => {
    assert.equal(shapeNamed(ecsModel, 'String').type, 'string');
    assert.throws(() => shapeNamed(ecsModel, 'constructor'), /no shape constructor/);
  });
});
