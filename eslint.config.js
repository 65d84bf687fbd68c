// ESLint flat config: type-checked typescript-eslint rules, no focused tests, no import cycles,
// and the request's path as layers: an import going back up the path fails the lint.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';
import { kebabCaseFileName } from './eslint-rules/kebab-case-file-name.js';

// Layers, top (entry) to bottom (the request's path, README "Architecture"):
//   main -> cli -> gate -> transport -> pipeline -> issuers | dedup -> config -> errors
// telemetry's decision log and metric observers sit beside gate (they watch the pipeline);
// telemetry/logger and lifecycle are leaves anything may use. `dev` holds loopback stand-ins.
const LOADERS = [
  'src/config/config-reloader.ts',
  'src/config/open-config-source.ts',
  'src/config/read-config-file.ts',
  'src/config/watch-config-file.ts',
  'src/config/config-map-watcher.ts',
];
const ENTRY = ['src/main.ts', 'src/cli', 'src/cluster', 'src/gate', 'src/dev'];
const zone = (target, from, message) => ({ target, from, message });
const LAYER_ZONES = [
  zone('src/errors', 'src', 'src/errors is the bottom layer: it imports nothing of ours.'),
  zone('src/time', 'src', 'src/time is a leaf: it imports nothing of ours.'),
  zone(
    'src/config',
    ['src/pipeline', 'src/issuers', 'src/dedup', 'src/transport', 'src/lifecycle', ...ENTRY],
    'config is below pipeline, issuers, dedup and transports.',
  ),
  zone(
    'src/issuers',
    [
      'src/pipeline',
      'src/transport',
      'src/telemetry/metrics.ts',
      'src/telemetry/metric-observers.ts',
      'src/telemetry/decision-log.ts',
      ...LOADERS,
      ...ENTRY,
    ],
    'issuers answer key lookups in their own terms; they know nothing of the pipeline above them.',
  ),
  zone(
    'src/dedup',
    [
      'src/pipeline',
      'src/issuers',
      'src/transport',
      'src/telemetry',
      'src/lifecycle',
      ...LOADERS,
      ...ENTRY,
    ],
    'delivery stores answer in their own terms; they know nothing of the pipeline above them.',
  ),
  zone(
    'src/pipeline',
    ['src/transport', 'src/telemetry', 'src/lifecycle', ...LOADERS, ...ENTRY],
    'the pipeline knows nothing of transports, telemetry, config loading or wiring.',
  ),
  zone(
    'src/transport',
    [...LOADERS, ...ENTRY, 'src/telemetry/metric-observers.ts', 'src/telemetry/decision-log.ts'],
    'transports stay thin: they never import the wiring above them.',
  ),
  zone(
    'src/telemetry',
    ['src/transport', 'src/lifecycle', ...LOADERS, ...ENTRY],
    'telemetry observes the pipeline; it never imports transports or wiring.',
  ),
  zone(
    'src/lifecycle',
    ['src/transport', 'src/pipeline', 'src/issuers', ...ENTRY],
    'lifecycle is a leaf.',
  ),
  zone(
    'src/gate',
    ['src/cli', 'src/cluster', 'src/main.ts'],
    'the composition root never imports the CLI.',
  ),
  zone('src/dev', ['src/cli', 'src/main.ts'], 'dev stand-ins never import the CLI.'),
];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.tools/',
      'coverage/',
      'helm/',
      '**/*.js',
      '**/*.cjs',
      // proto-loader-gen-types output (npm run gen:proto); a test keeps it in step with the protos.
      '**/generated/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: {
      'import-x': importX,
      local: { rules: { 'kebab-case-file-name': kebabCaseFileName } },
    },
    settings: {
      // Without these, import-x parses only .js files for its module graph and no-cycle sees
      // no TypeScript dependency at all.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // ESM TypeScript imports name the emitted `./x.js`; resolve it to the `./x.ts` beside it,
      // or import-x/no-cycle and no-restricted-paths see nothing.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.mjs', '.json'],
          extensionAlias: { '.js': ['.ts', '.js'] },
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'local/kebab-case-file-name': 'error',
      'max-params': ['error', 4],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'describe', property: 'only', message: 'No focused tests.' },
        { object: 'it', property: 'only', message: 'No focused tests.' },
        { object: 'test', property: 'only', message: 'No focused tests.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: LAYER_ZONES }],
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      'max-params': 'off',
    },
  },
  {
    // Plain-JS scripts (bench, tool installers): recommended rules, no type information.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'max-params': 'off' },
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
      },
    },
  },
  prettier,
);
