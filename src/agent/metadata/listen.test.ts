import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../util/options.js';
import { baseUrl, containerAddress, metadataListenOption, type MetadataListen } from './listen.js';

const flag = (value: unknown) => ({ value, source: { kind: 'flag' as const } });

void describe('--metadata-listen', () => {
  void it('takes a port (loopback and the bridge), HOST:PORT, [IPv6]:PORT, or off', () => {
    assert.deepEqual(metadataListenOption(flag('51679')), { kind: 'loopback-and-bridge', port: 51679 });
    assert.deepEqual(metadataListenOption(flag('0')), { kind: 'loopback-and-bridge', port: 0 });
    assert.deepEqual(metadataListenOption(flag('0.0.0.0:8000')), {
      kind: 'address',
      host: '0.0.0.0',
      port: 8000,
    });
    assert.deepEqual(metadataListenOption(flag('[::1]:9')), { kind: 'address', host: '::1', port: 9 });
    assert.equal(metadataListenOption(flag('off')), undefined);
    assert.deepEqual(
      metadataListenOption(flag(8080)),
      { kind: 'loopback-and-bridge', port: 8080 },
      'file: a number',
    );
  });

  void it('names the flag and the forms in its error', () => {
    for (const bad of ['nowhere', '70000', 'host:70000', ':80', 1.5, 70000]) {
      assert.throws(
        () => metadataListenOption(flag(bad)),
        (e: unknown) => e instanceof ConfigError && /--metadata-listen .*HOST:PORT, or off/.test(e.message),
        String(bad),
      );
    }
  });
});

void describe('the address a container is told', () => {
  const auto: MetadataListen = { kind: 'loopback-and-bridge', port: 51679 };
  void it('is the bridge gateway in bridge mode, loopback in host mode, nothing in none mode', () => {
    assert.equal(containerAddress(auto, 'bridge', '172.17.0.1'), '172.17.0.1');
    assert.equal(containerAddress(auto, 'host', '172.17.0.1'), '127.0.0.1');
    assert.equal(containerAddress(auto, 'none', '172.17.0.1'), undefined);
    assert.equal(containerAddress(auto, 'bridge', undefined), undefined, 'gateway not known yet');
  });

  void it('follows an explicit address, except loopback for bridge containers', () => {
    const lan: MetadataListen = { kind: 'address', host: '10.0.0.5', port: 1 };
    assert.equal(containerAddress(lan, 'bridge', '172.17.0.1'), '10.0.0.5');
    assert.equal(containerAddress(lan, 'host', '172.17.0.1'), '10.0.0.5');
    const loop: MetadataListen = { kind: 'address', host: '127.0.0.1', port: 1 };
    assert.equal(containerAddress(loop, 'bridge', '172.17.0.1'), undefined);
    assert.equal(containerAddress(loop, 'host', '172.17.0.1'), '127.0.0.1');
    const any: MetadataListen = { kind: 'address', host: '0.0.0.0', port: 1 };
    assert.equal(containerAddress(any, 'bridge', '172.17.0.1'), '172.17.0.1');
    assert.equal(containerAddress(any, 'host', '172.17.0.1'), '127.0.0.1');
  });

  void it('writes IPv6 hosts in brackets', () => {
    assert.equal(baseUrl('172.17.0.1', 51679), 'http://172.17.0.1:51679');
    assert.equal(baseUrl('fd00::1', 80), 'http://[fd00::1]:80');
  });
});
