import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCpuUnits, parseMemoryMiB } from './units.js';

describe('parseCpuUnits', () => {
  const table: [string, number | undefined][] = [
    ['256', 256],
    [' 1024 ', 1024],
    ['1 vCPU', 1024],
    ['1vcpu', 1024],
    ['0.25 vcpu', 256],
    ['0.125 VCPU', 128],
    ['2 vCPUs', 2048],
    ['0.3 vcpu', undefined],
    ['1.5', undefined],
    ['1 cpu', undefined],
    ['', undefined],
    ['-256', undefined],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(parseCpuUnits(input), expected));
  }
});

describe('parseMemoryMiB', () => {
  const table: [string, number | undefined][] = [
    ['512', 512],
    ['1GB', 1024],
    ['1 gb', 1024],
    ['0.5 GB', 512],
    ['2.5GB', 2560],
    ['512m', undefined],
    ['1 GiB', undefined],
    ['1.1 GB', undefined],
    ['', undefined],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(parseMemoryMiB(input), expected));
  }
});
