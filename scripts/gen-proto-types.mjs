#!/usr/bin/env node
// Generates TypeScript types for the gRPC messages pps-gate and its tests exchange, with
// proto-loader-gen-types (ships with @grpc/proto-loader). Each target uses the same loader options
// as the code that loads those protos at run time: the generated shapes depend on them.
//
//   node scripts/gen-proto-types.mjs            writes into the committed folders
//   node scripts/gen-proto-types.mjs --out DIR  writes every target under DIR (the staleness test)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const generator = join(
  dirname(require.resolve('@grpc/proto-loader/package.json')),
  'build',
  'bin',
  'proto-loader-gen-types.js',
);
const envoyDeps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');

/** Shared by every target: field names as in the .proto, ESM imports with .js (NodeNext). */
const COMMON = [
  '--keepCase',
  '--longs=String',
  '--oneofs',
  '--grpcLib=@grpc/grpc-js',
  '--targetFileExtension=.ts',
  '--importFileExtension=.js',
];

export const TARGETS = [
  {
    // Envoy's own protos, as test/support/envoy-client.ts loads them (enums as names, defaults).
    outDir: 'test/support/generated/envoy',
    options: ['--enums=String', '--defaults'],
    includeDirs: ['envoy-api', 'googleapis', 'protoc-gen-validate', 'xds'].map((dir) =>
      join(envoyDeps, dir),
    ),
    files: ['envoy/service/auth/v3/external_auth.proto', 'envoy/service/accesslog/v3/als.proto'],
  },
  {
    // grpc.health.v1 with the test clients' options (enums as names, defaults).
    outDir: 'test/support/generated/health',
    options: ['--enums=String', '--defaults'],
    includeDirs: [join(repoRoot, 'proto')],
    files: ['grpc/health/v1/health.proto'],
  },
  {
    // pps-gate's wire-compatible copies under proto/, with src/transport/grpc/load-protos.ts's
    // options (enums as numbers, no defaults).
    outDir: 'src/transport/grpc/generated',
    options: [],
    includeDirs: [join(repoRoot, 'proto')],
    files: ['envoy/service/auth/v3/external_auth.proto', 'grpc/health/v1/health.proto'],
  },
];

export function generate(outRoot = repoRoot) {
  for (const target of TARGETS) {
    const outDir = join(outRoot, target.outDir);
    rmSync(outDir, { recursive: true, force: true });
    execFileSync(
      process.execPath,
      [
        generator,
        ...COMMON,
        ...target.options,
        ...target.includeDirs.map((dir) => `--includeDirs=${dir}`),
        `--outDir=${outDir}`,
        ...target.files,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    relativiseOriginPaths(outDir);
  }
}

/** The generator names each file's .proto by absolute path; keep the output checkout-independent. */
function relativiseOriginPaths(outDir) {
  const prefix = `// Original file: ${repoRoot}/`;
  for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, 'utf8');
    if (text.includes(prefix)) writeFileSync(path, text.replaceAll(prefix, '// Original file: '));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outFlag = process.argv.indexOf('--out');
  if (outFlag !== -1 && process.argv[outFlag + 1] === undefined) {
    console.error('gen-proto-types: --out needs a directory');
    process.exit(2);
  }
  generate(outFlag === -1 ? repoRoot : resolve(process.argv[outFlag + 1]));
}
