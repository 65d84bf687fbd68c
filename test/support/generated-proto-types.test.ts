// The committed proto-loader-gen-types output must be what `npm run gen:proto` writes today: a
// changed .proto, loader option or @grpc/proto-loader version shows up here, not as types that
// quietly describe another wire format.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from './helm-cli.js';

const GENERATED_DIRS = [
  'test/support/generated/envoy',
  'test/support/generated/health',
  'src/transport/grpc/generated',
];

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  return files;
}

const fresh = mkdtempSync(join(tmpdir(), 'pps-gate-gen-proto-'));
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

it('commits exactly the types npm run gen:proto generates from the current protos', async () => {
  await promisify(execFile)(
    process.execPath,
    [join(repoRoot, 'scripts', 'gen-proto-types.mjs'), '--out', fresh],
    { cwd: repoRoot },
  );
  for (const dir of GENERATED_DIRS) {
    const committed = filesUnder(join(repoRoot, dir));
    const regenerated = filesUnder(join(fresh, dir));
    expect(regenerated.size, `${dir}: no files generated`).toBeGreaterThan(0);
    expect([...committed.keys()].sort(), `${dir}: run npm run gen:proto`).toEqual(
      [...regenerated.keys()].sort(),
    );
    for (const [name, text] of regenerated)
      expect(committed.get(name), `${dir}/${name} is stale: run npm run gen:proto`).toBe(text);
  }
});
