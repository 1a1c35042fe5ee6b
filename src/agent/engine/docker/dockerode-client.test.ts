import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { DockerError, DockerTimeoutError, MAX_REASON_LENGTH, reasonOf } from './errors.js';
import { toDockerError } from './dockerode-client.js';
import { pullProgress } from './streams.js';

void describe('Docker errors', () => {
  void it("keep dockerd's message and say whether to retry", () => {
    const notFound = toDockerError('CannotPullContainerError', {
      statusCode: 404,
      json: { message: 'manifest for x:1 not found: manifest unknown' },
      message: '(HTTP code 404) unexpected - manifest for x:1 not found',
    });
    assert.equal(notFound.reason(), 'CannotPullContainerError: manifest for x:1 not found: manifest unknown');
    assert.equal(notFound.retriable, false);
    assert.equal(notFound.statusCode, 404);
    const busy = toDockerError('CannotCreateContainerError', {
      statusCode: 500,
      json: { message: 'context deadline exceeded' },
    });
    assert.equal(busy.retriable, true);
    const refused = toDockerError(
      'CannotStartContainerError',
      Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' }),
    );
    assert.equal(refused.retriable, true);
    assert.equal(refused.name, 'CannotStartContainerError');
    const bad = toDockerError('CannotCreateContainerError', {
      statusCode: 400,
      json: { message: 'invalid mount config' },
    });
    assert.equal(bad.retriable, false);
  });

  void it('time-outs are named and retriable', () => {
    const e = new DockerTimeoutError('create', 240_000);
    assert.equal(e.reason(), 'DockerTimeoutError: docker create did not finish within 4m');
    assert.equal(e.retriable, true);
  });

  void it("reasons fit ECS's 1024 characters", () => {
    const long = new DockerError('CannotStartContainerError', 'x'.repeat(5000), { retriable: false });
    assert.equal(long.reason().length, MAX_REASON_LENGTH);
    assert.equal(reasonOf(new Error('boom'), 'CannotStopContainerError'), 'CannotStopContainerError: boom');
  });
});

void describe('pull progress', () => {
  void it('resolves when the stream ends cleanly', async () => {
    const stream = new PassThrough();
    const done = pullProgress(stream, 1000, new AbortController());
    stream.write('{"status":"Pulling fs layer"}\n{"status":"Downl');
    stream.end('oad complete"}\n');
    await done;
  });

  void it('turns an in-band error line into CannotPullContainerError', async () => {
    const stream = new PassThrough();
    const done = pullProgress(stream, 1000, new AbortController());
    stream.end(
      '{"status":"x"}\n{"error":"pull access denied for x, repository does not exist","errorDetail":{}}\n',
    );
    await assert.rejects(
      done,
      (e: unknown) => e instanceof DockerError && e.name === 'CannotPullContainerError' && !e.retriable,
    );
  });

  void it('aborts a pull that makes no progress', async () => {
    const stream = new PassThrough();
    const controller = new AbortController();
    const done = pullProgress(stream, 50, controller);
    stream.write('{"status":"Pulling"}\n');
    await assert.rejects(done);
    assert.deepEqual(controller.signal.reason, { inactive: true });
    stream.destroy();
  });
});
