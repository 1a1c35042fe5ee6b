import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseRegistry, parseImageRef, pullReference } from './image-ref.js';
import { authForImage, parseRegistryAuth, RegistryAuthError } from './registry-auth.js';

void describe('image references', () => {
  const cases: readonly [string, ReturnType<typeof parseImageRef>][] = [
    ['busybox', { registry: 'docker.io', repository: 'busybox', tag: undefined, digest: undefined }],
    [
      'library/nginx:1.25',
      { registry: 'docker.io', repository: 'library/nginx', tag: '1.25', digest: undefined },
    ],
    [
      '127.0.0.1:5000/team/app:2',
      { registry: '127.0.0.1:5000', repository: 'team/app', tag: '2', digest: undefined },
    ],
    ['localhost/app', { registry: 'localhost', repository: 'app', tag: undefined, digest: undefined }],
    [
      'ghcr.io/o/app@sha256:abc',
      { registry: 'ghcr.io', repository: 'o/app', tag: undefined, digest: 'sha256:abc' },
    ],
    [
      'Registry.Example.com:443/a:b@sha256:1',
      { registry: 'registry.example.com:443', repository: 'a', tag: 'b', digest: 'sha256:1' },
    ],
  ];
  for (const [image, expected] of cases)
    void it(image, () => assert.deepEqual(parseImageRef(image), expected));

  void it('pulls exactly one tag', () => {
    assert.equal(pullReference('127.0.0.1:5000/app'), '127.0.0.1:5000/app:latest');
    assert.equal(pullReference('app:1'), 'app:1');
    assert.equal(pullReference('app@sha256:1'), 'app@sha256:1');
  });

  void it('normalises registry keys as credentials files write them', () => {
    assert.equal(normaliseRegistry('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(normaliseRegistry('http://10.0.0.1:5000/v2/'), '10.0.0.1:5000');
    assert.equal(normaliseRegistry('Registry.Example.com'), 'registry.example.com');
  });
});

void describe('registry credentials', () => {
  void it('reads the dockercfg form (base64 auth)', () => {
    const table = parseRegistryAuth(
      JSON.stringify({
        'https://registry.example.com': { auth: Buffer.from('bob:s3:cret').toString('base64'), email: 'b@x' },
      }),
    );
    assert.deepEqual(authForImage(table, 'registry.example.com/app:1'), {
      username: 'bob',
      password: 's3:cret',
      email: 'b@x',
      serveraddress: 'registry.example.com',
    });
    assert.equal(authForImage(table, 'other.example.com/app'), undefined);
  });

  void it('reads the docker form and config.json auths, Docker Hub under its usual key', () => {
    const table = parseRegistryAuth(
      JSON.stringify({ auths: { 'https://index.docker.io/v1/': { username: 'u', password: 'p' } } }),
    );
    assert.deepEqual(authForImage(table, 'busybox'), {
      username: 'u',
      password: 'p',
      serveraddress: 'https://index.docker.io/v1/',
    });
  });

  void it('says what is wrong with a bad file', () => {
    const bad = (text: string, message: RegExp) =>
      assert.throws(
        () => parseRegistryAuth(text),
        (e: unknown) => e instanceof RegistryAuthError && message.test(e.message),
      );
    bad('{', /not valid JSON/);
    bad('[]', /JSON object of registries/);
    bad('{"r": 1}', /non-object entry for "r"/);
    bad('{"r": {"email": "x"}}', /needs "auth" or "username" and "password" for "r"/);
    bad(`{"r": {"auth": "${Buffer.from('nocolon').toString('base64')}"}}`, /not base64 of user:password/);
  });
});
