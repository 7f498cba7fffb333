/**
 * `shopstream-collector` command line.
 *
 *   shopstream-collector [serve] [--config <file.yaml|file.json>]
 *   shopstream-collector wal verify <dir>     read the whole WAL, report, change nothing (exit 1 when damaged)
 *   shopstream-collector wal repair <dir>     cut a torn tail as startup would
 *   shopstream-collector wal restore --from s3://<bucket>/<prefix>/<nodeId> [--endpoint <url>] [--region <r>] <dir>
 *                                             rebuild a node's WAL from its archive (wal/README.md "Archive")
 *   shopstream-collector lake views|compact    DuckDB views / Athena DDL for the lake; compact closed hours (./lake/lake-command.ts)
 *   shopstream-collector keygen [--key-id <n>] print a sealing key pair: the SDK's public half, the collector's `ingest.decryption.keys` entry
 *   shopstream-collector sink sql <name> [--config <file>]  print the SQL that sets up a postgres sink's schema, for a DBA to run
 *
 * A bad config prints one line naming the key and exits 2. SIGTERM/SIGINT stop gracefully
 * (exit 0); a second signal exits at once. SIGHUP reloads the custom schema folder.
 */
import { sealingKeyPairJson } from '@shopstream/shared';
import { startCollector } from './app.js';
import type { CollectorConfig } from './config/config.js';
import { describeConfig, loadConfig } from './config/load-config.js';
import { sinkTypes } from './delivery/sink-types.js';
import { isCollectorError } from './errors.js';
import { LAKE_USAGE } from './lake/lake-command.js';
import { formatVerifyReport, repairWal, verifyWal } from './wal/verify.js';

const USAGE = `usage: shopstream-collector [serve] [--config <file>]
       shopstream-collector wal verify <dir>
       shopstream-collector wal repair <dir>
       shopstream-collector wal restore --from s3://<bucket>/<prefix>/<nodeId> [--endpoint <url>] [--region <r>] <dir>
${LAKE_USAGE}
       shopstream-collector keygen [--key-id <n>]
       shopstream-collector sink sql <name> [--config <file>]`;

async function main(argv: readonly string[]): Promise<number | undefined> {
  const [command = 'serve', ...rest] = argv[0]?.startsWith('-') ? ['serve', ...argv] : argv;
  if (command === 'help' || rest.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (command === 'wal') return walCommand(rest);
  if (command === 'keygen') return keygenCommand(rest);
  if (command === 'sink') return sinkCommand(rest);
  if (command === 'lake') return (await import('./lake/lake-command.js')).lakeCommand(rest);
  if (command !== 'serve') {
    console.error(`shopstream-collector: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  const config = readConfig(rest);
  if (typeof config === 'number') return config;
  for (const line of describeConfig(config)) console.error(`shopstream-collector: ${line}`);
  const collector = await startCollector(config);
  console.error(`shopstream-collector: ready on ${collector.url}`);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      console.error(`shopstream-collector: second ${signal}, exiting now`);
      process.exit(1);
    }
    console.error(`shopstream-collector: ${signal}, stopping (drain up to ${config.delivery.drainDeadlineMs} ms; send again to exit at once)`);
    collector.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shopstream-collector: stop failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // SIGHUP: reload custom schemas without a restart (the folder is also watched unless schemas.watch is false).
  process.on('SIGHUP', () => {
    collector.reloadSchemas().then((outcome) =>
      console.error(outcome.status === 'success' ? `shopstream-collector: SIGHUP, ${outcome.schemaIds.length} schemas loaded` : `shopstream-collector: SIGHUP, schema reload failed (previous schemas stay): ${outcome.error.message}`),
    );
  });
  return undefined;
}

/** The config named by `--config` (or the environment); an exit code when it is unusable. */
function readConfig(args: readonly string[]): CollectorConfig | number {
  const configAt = args.indexOf('--config');
  if (configAt >= 0 && !args[configAt + 1]) {
    console.error('shopstream-collector: --config needs a file path');
    return 2;
  }
  try {
    return loadConfig({ env: process.env, sinkTypes, ...(configAt >= 0 ? { path: args[configAt + 1]! } : {}) });
  } catch (error) {
    if (isCollectorError(error) && error.code === 'COLLECTOR_CONFIG_INVALID') {
      console.error(`shopstream-collector: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

/** `sink sql <name>`: the schema script of a postgres sink, on stdout; needs no database. */
async function sinkCommand(args: readonly string[]): Promise<number> {
  const [action, name] = args;
  if (action !== 'sql' || !name || name.startsWith('-')) {
    console.error(USAGE);
    return 2;
  }
  const config = readConfig(args.slice(2));
  if (typeof config === 'number') return config;
  const sink = config.sinks.find((s) => s.name === name);
  if (!sink || sink.type !== 'postgres') {
    console.error(`shopstream-collector: no postgres sink named "${name}" in the config (postgres sinks: ${config.sinks.filter((s) => s.type === 'postgres').map((s) => s.name).join(', ') || 'none'})`);
    return 2;
  }
  const { schemaScript } = await import('./sinks/postgres/schema-sql.js');
  const { loadLakeCatalog } = await import('./lake/lake-catalog.js');
  const { postgresConfigOf } = await import('./sinks/postgres/postgres-sink-type.js');
  process.stdout.write(schemaScript(postgresConfigOf(sink).schema, await loadLakeCatalog()));
  return 0;
}

async function keygenCommand(args: readonly string[]): Promise<number> {
  const at = args.indexOf('--key-id');
  const keyId = at >= 0 ? Number(args[at + 1]) : 1;
  if (!Number.isInteger(keyId) || keyId < 1 || keyId > 0xffff_ffff) {
    console.error('shopstream-collector: --key-id must be an integer from 1 to 4294967295');
    return 2;
  }
  process.stdout.write(await sealingKeyPairJson(keyId));
  return 0;
}

async function walCommand(args: readonly string[]): Promise<number> {
  if (args[0] === 'restore') {
    const { restoreCommand } = await import('./wal/archive/restore-command.js');
    return restoreCommand(args.slice(1), USAGE);
  }
  const [action, dir] = args;
  if (!dir || (action !== 'verify' && action !== 'repair')) {
    console.error(USAGE);
    return 2;
  }
  if (action === 'verify') {
    const report = await verifyWal(dir);
    console.log(formatVerifyReport(report));
    return report.ok ? 0 : 1;
  }
  const report = await repairWal(dir);
  console.log(report.truncatedBytes > 0 ? `cut a torn tail of ${report.truncatedBytes} bytes (${report.truncatedRecords} partial record(s)) from ${report.segment}` : `nothing to repair in ${dir}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`shopstream-collector: ${isCollectorError(error) ? `${error.code}: ${error.message}` : (error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
