#!/usr/bin/env node
// Runs every vitest project in one process and ends with the plain line `N passed, N failed`
// (from vitest's JSON report), so a run that executed no test is visible.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const outDir = join(root, '.vitest-results');
const outFile = join(outDir, 'results.json');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const extra = process.argv.slice(2);
const result = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${outFile}`, ...extra],
  { cwd: root, stdio: 'inherit', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', TURBO_TELEMETRY_DISABLED: '1' } },
);

let passed = 0;
let failed = 0;
if (existsSync(outFile)) {
  const report = JSON.parse(readFileSync(outFile, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  // A file that failed to load has no tests; count it so it is not hidden.
  const brokenFiles = (report.testResults ?? []).filter((file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0).length;
  failed += brokenFiles;
} else {
  failed = 1;
  console.error('vitest wrote no JSON report');
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(result.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
