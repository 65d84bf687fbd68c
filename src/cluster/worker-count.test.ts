import { describe, expect, it } from 'vitest';
import { autoWorkerCount, cgroupCpuLimit } from './worker-count.js';

describe('--workers auto', () => {
  it('reads a cgroup v2 CPU limit as whole CPUs, rounding a fraction up', () => {
    expect(cgroupCpuLimit('200000 100000\n')).toBe(2);
    expect(cgroupCpuLimit('150000 100000')).toBe(2);
    expect(cgroupCpuLimit('50000 100000')).toBe(1);
  });

  it('sees no limit in "max", in garbage or when the file is missing', () => {
    expect(cgroupCpuLimit('max 100000')).toBeUndefined();
    expect(cgroupCpuLimit('banana')).toBeUndefined();
    expect(cgroupCpuLimit(undefined)).toBeUndefined();
  });

  it('runs one worker per usable CPU, capped by the container CPU limit', () => {
    expect(autoWorkerCount(8, '200000 100000')).toBe(2);
    expect(autoWorkerCount(2, '400000 100000')).toBe(2);
    expect(autoWorkerCount(4, 'max 100000')).toBe(4);
    expect(autoWorkerCount(4, undefined)).toBe(4);
  });
});
