import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Integration tests start real processes and bind loopback ports; two cores here.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
