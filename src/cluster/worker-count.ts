// `--workers auto`: one worker per CPU the process may really use: the CPUs it may run on
// (sched_getaffinity, via availableParallelism) capped by the cgroup v2 CPU quota, which is what
// a Kubernetes CPU limit becomes (cpu.max "QUOTA PERIOD", or "max PERIOD" when unlimited).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export const MAX_WORKERS = 64;

/** The CPU quota in CPUs (rounded up, at least 1), or undefined when there is none. */
export function cgroupCpuLimit(cpuMax: string | undefined): number | undefined {
  const match = /^(max|\d+)\s+(\d+)\s*$/.exec(cpuMax ?? '');
  if (match === null || match[1] === 'max') return undefined;
  const quota = Number(match[1]);
  const period = Number(match[2]);
  if (!(quota > 0 && period > 0)) return undefined;
  return Math.max(1, Math.ceil(quota / period));
}

function readCpuMax(): string | undefined {
  try {
    return readFileSync('/sys/fs/cgroup/cpu.max', 'utf8');
  } catch {
    return undefined; // not Linux, or cgroup v1: no quota we can read
  }
}

export function autoWorkerCount(
  cpus = availableParallelism(),
  cpuMax: string | undefined = readCpuMax(),
): number {
  return Math.min(MAX_WORKERS, cpus, cgroupCpuLimit(cpuMax) ?? cpus);
}
