import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import { workerStoreMisfit } from './worker-store-fit.js';

const config = (extra: string): ReturnType<typeof parseConfig> =>
  parseConfig(
    `issuers:\n  - issuer: https://issuer.example/pps\n    audiences: [pps]\n${extra}`,
    'test.yaml',
  );

describe('workerStoreMisfit', () => {
  it('accepts one worker whatever the stores', () => {
    expect(workerStoreMisfit(config('dedup: { mode: enforce }\n'), 1)).toBeUndefined();
  });

  it('accepts annotate with the memory store on several workers (counts are per worker)', () => {
    expect(workerStoreMisfit(config(''), 4)).toBeUndefined();
  });

  it('refuses enforce with the memory store on several workers', () => {
    expect(workerStoreMisfit(config('dedup: { mode: enforce }\n'), 2)).toMatch(
      /enforce with the memory store and --workers 2/,
    );
  });

  it('refuses replay: jti with the memory store on several workers', () => {
    expect(workerStoreMisfit(config('    replay: jti\n'), 2)).toMatch(/replay: jti/);
  });

  it('accepts both with the redis store on several workers', () => {
    const shared = config(
      '    replay: jti\ndedup: { mode: enforce, store: redis, redis: { url: "redis://127.0.0.1:6379" } }\n',
    );
    expect(workerStoreMisfit(shared, 2)).toBeUndefined();
  });
});
