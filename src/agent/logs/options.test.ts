import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsLogsOptionError, awsLogsTarget, localLogConfig, strftimeToRegex } from './options.js';

const container = {
  id: 'c0ffee',
  name: 'web',
  taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/edge/0123456789abcdef',
};

describe('awslogs options', () => {
  it('names the stream prefix/container/task-id with a prefix, else the container id', () => {
    assert.equal(
      awsLogsTarget({ 'awslogs-group': 'g', 'awslogs-stream-prefix': 'app' }, container).stream,
      'app/web/0123456789abcdef',
    );
    assert.equal(awsLogsTarget({ 'awslogs-group': 'g' }, container).stream, 'c0ffee');
    assert.equal(awsLogsTarget({ 'awslogs-group': 'g', 'awslogs-stream': 's' }, container).stream, 's');
  });

  it('reads create-group as Go booleans, region and endpoint as given', () => {
    const t = awsLogsTarget(
      {
        'awslogs-group': 'g',
        'awslogs-create-group': 'true',
        'awslogs-region': 'eu-west-1',
        'awslogs-endpoint': 'http://127.0.0.1:4650',
      },
      container,
    );
    assert.deepEqual([t.createGroup, t.region, t.endpoint], [true, 'eu-west-1', 'http://127.0.0.1:4650']);
    assert.equal(awsLogsTarget({ 'awslogs-group': 'g' }, container).createGroup, false);
  });

  it('turns the datetime format into an anchored pattern of moby strftime subset', () => {
    const t = awsLogsTarget(
      { 'awslogs-group': 'g', 'awslogs-datetime-format': '[%Y-%m-%d %H:%M:%S]' },
      container,
    );
    assert.ok(t.multiline?.test('[2024-05-01 13:45:00] started'));
    assert.ok(!t.multiline?.test('  [2024-05-01 13:45:00] indented'));
    assert.equal(strftimeToRegex('%L.%f'), '\\.\\d{3}\\.\\d{6}');
  });

  it('refuses what Docker refuses', () => {
    const bad: Record<string, string>[] = [
      {},
      { 'awslogs-group': 'bad group!' },
      { 'awslogs-group': 'g', 'awslogs-create-group': 'yes' },
      { 'awslogs-group': 'g', mode: 'sometimes' },
      { 'awslogs-group': 'g', 'awslogs-datetime-format': '%Y', 'awslogs-multiline-pattern': 'x' },
      { 'awslogs-group': 'g', 'awslogs-multiline-pattern': '(' },
      { 'awslogs-group': 'g', 'awslogs-colour': 'blue' },
    ];
    for (const options of bad)
      assert.throws(() => localLogConfig(options), AwsLogsOptionError, JSON.stringify(options));
  });

  it('keeps a bounded local json-file copy, with Docker mode and buffer size', () => {
    assert.deepEqual(
      localLogConfig({ 'awslogs-group': 'g', mode: 'non-blocking', 'max-buffer-size': '4m' }),
      {
        Type: 'json-file',
        Config: { 'max-size': '10m', 'max-file': '5', mode: 'non-blocking', 'max-buffer-size': '4m' },
      },
    );
  });
});
