#!/usr/bin/env node
// Installs what a fresh machine lacks, and nothing more: npm packages when node_modules is
// missing or older than the lockfile; with --services, the Debian packages the tests start
// (redis-server, nginx, chromium, postgresql). Idempotent, so `npm start` and `npm test` can always call it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const withServices = process.argv.includes('--services');

function run(cmd, args) {
  console.log(`[setup] ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000)) {
  // `npm ci` refuses here: the registry lacks some macOS/Windows platform packages, so they are
  // missing from the lockfile; `npm install` with the committed lockfile works and leaves it unchanged.
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
}

// The CDK app is its own npm project (aws-cdk-lib is ~190 MB): the root install stays small, and
// its packages install here, once, for its tests and `npm run synth`.
const awsDir = join(root, 'examples', 'aws');
const awsMarker = join(awsDir, 'node_modules', '.package-lock.json');
const awsLock = join(awsDir, 'package-lock.json');
if (existsSync(awsLock) && (!existsSync(awsMarker) || statSync(awsLock).mtimeMs > statSync(awsMarker).mtimeMs + 1000)) {
  console.log('[setup] npm install (examples/aws)');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: awsDir, stdio: 'inherit' });
}

if (withServices) {
  const wanted = [
    ['redis-server', 'redis-server'],
    ['nginx', 'nginx'],
    ['chromium', 'chromium'],
    // The postgres sink's tests run initdb/pg_ctl of Debian's PostgreSQL 15 (not on PATH).
    ['/usr/lib/postgresql/15/bin/initdb', 'postgresql'],
  ];
  const missing = wanted.filter(([bin]) => spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin}`]).status !== 0).map(([, pkg]) => pkg);
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      console.error(`[setup] missing Debian packages: ${missing.join(' ')}; install them as root (apt-get install ${missing.join(' ')})`);
      process.exit(1);
    }
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  }
}
