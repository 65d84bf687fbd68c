// pps-gate's own version, from the package.json that ships beside dist/ (and src/ in development).
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function gateVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(
        readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
      ) as { version?: unknown };
      cached = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
