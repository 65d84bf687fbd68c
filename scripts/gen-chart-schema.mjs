// Regenerates the config part of helm/pps-gate/values.schema.json from pps-gate's zod config
// schema (run through `npm run gen:chart-schema`, which builds dist/ first). The chart-only
// parts of the file are kept as they are. test/helm/chart-config-schema.test.ts fails on drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chartValuesSchemaText } from '../dist/config/chart-values-schema.js';

const file = fileURLToPath(new URL('../helm/pps-gate/values.schema.json', import.meta.url));
const before = readFileSync(file, 'utf8');
const after = chartValuesSchemaText(before);
if (after === before) {
  console.log(`${file}: config schema already up to date`);
} else {
  writeFileSync(file, after);
  console.log(`${file}: config schema regenerated from src/config/config-schema.ts`);
}
