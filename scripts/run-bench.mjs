#!/usr/bin/env node
// `npm run bench -- <name>` runs bench/<name>.ts (or <name>/bench.ts, e.g. test/fleet/bench.ts);
// each bench prints one closing JSON line:
// {"bench": "...", "value": N, "unit": "...", "baseline": N, "ratio": N}
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// npm runs a package script in that package's folder, so the benches are under the cwd.
const here = process.cwd();
const benchDir = join(here, 'bench');
const available = [
  ...(existsSync(benchDir) ? readdirSync(benchDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)) : []),
  ...readdirSync(here, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'bench.ts'))).map((d) => d.name),
];
const name = process.argv[2];
const script = name && [join(benchDir, `${name}.ts`), join(here, name, 'bench.ts')].find((path) => existsSync(path));
if (!script) {
  console.error(`usage: npm run bench -- <name>; available: ${available.join(', ') || '(none yet)'}`);
  process.exit(2);
}
const result = spawnSync('npx', ['tsx', script, ...process.argv.slice(3)], {
  stdio: 'inherit',
  env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});
process.exit(result.status ?? 1);
