// `--workers N` with a per-process (memory) store where the answer must hold across processes:
// serve refuses to start, naming the setting and the way out, instead of letting a webhook through
// once per worker (dedup enforce) or accepting a replay once per worker (replay: jti).
import { afterEach, describe, expect, it } from 'vitest';
import { EPHEMERAL_LOOPBACK_PORTS } from '../support/gate-child.js';
import { runGate, writeConfigFile } from '../support/start-gate-process.js';

const issuer = { issuer: 'https://issuer.example/pps', audiences: ['pps'] };
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((remove) => remove()));

async function serveWorkers(config: unknown, workers: string) {
  const file = writeConfigFile(config);
  cleanups.push(file.remove);
  return runGate(
    ['serve', '--config', file.path, '--workers', workers, ...EPHEMERAL_LOOPBACK_PORTS],
    {
      timeoutMs: 15_000,
    },
  );
}

describe('serve --workers with a memory store', () => {
  it('exits 1 for dedup enforce with the memory store and 2 workers, naming the fix', async () => {
    const result = await serveWorkers(
      { issuers: [issuer], dedup: { mode: 'enforce', store: 'memory' } },
      '2',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/dedup\.mode enforce with the memory store and --workers 2/);
    expect(result.stderr).toMatch(/dedup\.store redis .* or run --workers 1/);
  });

  it('exits 1 for replay: jti with the memory store and 2 workers, naming the issuer', async () => {
    const result = await serveWorkers({ issuers: [{ ...issuer, replay: 'jti' }] }, '2');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('replay: jti (issuers https://issuer.example/pps)');
    expect(result.stderr).toContain('--workers 2');
  });
});
