// The layers are enforced, not just stated: `npm run lint` (this repo's eslint.config.js, run
// through ESLint's Node API) fails on an import back up the request's path and on an import
// cycle, and passes an import down the path. The probes are real files under src/ (the resolver
// and no-cycle read the disk), removed again whatever happens.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const probes: Record<string, string> = {
  'src/issuers/layering-probe-back-import.ts': [
    "import { deny } from '../pipeline/decision.js';",
    "export const probe = deny('internal', 'issuers must not build pipeline denies');",
  ].join('\n'),
  'src/pipeline/layering-probe-cycle-a.ts': [
    "import { probeB } from './layering-probe-cycle-b.js';",
    'export const probeA = (): number => probeB() + 1;',
  ].join('\n'),
  'src/pipeline/layering-probe-cycle-b.ts': [
    "import { probeA } from './layering-probe-cycle-a.js';",
    'export const probeB = (): number => (Math.random() > 2 ? probeA() : 0);',
  ].join('\n'),
  'src/pipeline/layering-probe-allowed.ts': [
    "import type { KeyAnswer } from '../issuers/key-lookup.js';",
    'export type Probe = KeyAnswer;',
  ].join('\n'),
};

let results: Map<string, ESLint.LintResult>;

beforeAll(async () => {
  for (const [path, text] of Object.entries(probes)) writeFileSync(join(root, path), `${text}\n`);
  try {
    const eslint = new ESLint({ cwd: root });
    const linted = await eslint.lintFiles(Object.keys(probes).map((path) => join(root, path)));
    results = new Map(linted.map((result) => [result.filePath, result]));
  } finally {
    for (const path of Object.keys(probes)) rmSync(join(root, path), { force: true });
  }
}, 300_000);

afterAll(() => {
  for (const path of Object.keys(probes)) rmSync(join(root, path), { force: true });
});

const rulesOf = (path: string): (string | null)[] =>
  (results.get(join(root, path))?.messages ?? []).map((message) => message.ruleId);

describe('npm run lint on the layers of the request path', () => {
  it('fails an import that goes back up the path (issuers importing the pipeline)', () => {
    const messages = results.get(join(root, 'src/issuers/layering-probe-back-import.ts'))!.messages;
    const restricted = messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths');
    expect(restricted).toHaveLength(1);
    expect(restricted[0]!.severity).toBe(2);
    expect(restricted[0]!.message).toContain('../pipeline/decision.js');
  });

  it('fails an import cycle, on both files of the cycle', () => {
    expect(rulesOf('src/pipeline/layering-probe-cycle-a.ts')).toContain('import-x/no-cycle');
    expect(rulesOf('src/pipeline/layering-probe-cycle-b.ts')).toContain('import-x/no-cycle');
  });

  it('passes an import down the path (the pipeline importing the key-lookup contract)', () => {
    expect(results.get(join(root, 'src/pipeline/layering-probe-allowed.ts'))!.messages).toEqual([]);
  });
});
