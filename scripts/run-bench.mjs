#!/usr/bin/env node
// `npm run bench -- <name>` runs bench/<name>.ts; each bench prints one closing JSON line:
// {"bench": "...", "value": N, "unit": "...", "baseline": N, "ratio": N}
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// npm runs a package script in that package's folder, so its bench/ is under the cwd.
const here = join(process.cwd(), 'bench');
const name = process.argv[2];
const available = readdirSync(here).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
if (!name || !existsSync(join(here, `${name}.ts`))) {
  console.error(`usage: npm run bench -- <name>; available: ${available.join(', ') || '(none yet)'}`);
  process.exit(2);
}
const result = spawnSync('npx', ['tsx', join(here, `${name}.ts`), ...process.argv.slice(3)], {
  stdio: 'inherit',
  env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});
process.exit(result.status ?? 1);
