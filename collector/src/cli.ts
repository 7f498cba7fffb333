/**
 * `shopstream-collector` command line.
 *
 *   shopstream-collector [serve] [--config <file.yaml|file.json>]
 *   shopstream-collector wal verify <dir>     read the whole WAL, report, change nothing (exit 1 when damaged)
 *   shopstream-collector wal repair <dir>     cut a torn tail as startup would
 *   shopstream-collector wal restore --from s3://<bucket>/<prefix>/<nodeId> [--endpoint <url>] [--region <r>] <dir>
 *                                             rebuild a node's WAL from its archive (wal/README.md "Archive")
 *   shopstream-collector lake views|compact    DuckDB views / Athena DDL for the lake; compact closed hours (./lake/lake-command.ts)
 *   shopstream-collector backfill|redrive      send raw-zone / failed-zone events through the current chain again (./reprocess/reprocess-command.ts)
 *   shopstream-collector keygen [--key-id <n>] print a sealing key pair: the SDK's public half, the collector's `ingest.decryption.keys` entry
 *   shopstream-collector sink sql <name> [--config <file>]  print the SQL that sets up a postgres sink's schema, for a DBA to run
 *   shopstream-collector --version
 *
 * An unknown flag, an unknown `SHOPSTREAM_*` variable or a bad config value prints one line
 * naming it and exits 2, before anything starts. At start every setting is reported (secrets
 * masked): as one JSON log line on stdout, which carries JSON lines only, and readable on stderr.
 * SIGTERM/SIGINT stop gracefully (exit 0); a second signal exits at once. SIGHUP reloads the
 * custom schema folder.
 */
import { readFileSync } from 'node:fs';
import { parseFlags, type FlagSpec } from './config/cli-flags.js';
import type { CollectorConfig } from './config/config.js';
import { describeSettings, settingsObject, type Setting } from './config/config-settings.js';
import { loadConfigWithSettings } from './config/load-config.js';
import { sinkTypes } from './sinks/built-in-sink-types.js';
import { isCollectorError } from './errors.js';
import { LAKE_USAGE } from './lake/lake-command.js';
import { REPROCESS_USAGE } from './reprocess/reprocess-usage.js';
import { LogEvent } from './telemetry/events.js';
import { createLogger } from './telemetry/log.js';

// Only what reads flags and config loads up front: the server, the WAL tools and key generation
// are imported by the command that needs them, so a refused start answers at once and `serve`
// reaches its listener sooner (`npm run bench -- startup`).

const USAGE = `usage: shopstream-collector [serve] [--config <file>]
       shopstream-collector wal verify <dir>
       shopstream-collector wal repair <dir>
       shopstream-collector wal restore --from s3://<bucket>/<prefix>/<nodeId> [--endpoint <url>] [--region <r>] <dir>
${LAKE_USAGE}
${REPROCESS_USAGE}
       shopstream-collector keygen [--key-id <n>]
       shopstream-collector sink sql <name> [--config <file>]
       shopstream-collector --version | --help`;

const CONFIG: FlagSpec = { name: '--config', aliases: ['-c'], value: true };
const HELP: FlagSpec = { name: '--help', aliases: ['-h'], value: false };
const VERSION: FlagSpec = { name: '--version', aliases: ['-v'], value: false };

/** The package's own version (package.json sits beside dist/ and src/). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** One line and exit 2: what an operator sees of a bad start. */
function refuse(message: string): number {
  console.error(`shopstream-collector: ${message}\n${USAGE}`);
  return 2;
}

async function main(argv: readonly string[]): Promise<number | undefined> {
  const [command = 'serve', ...rest] = argv[0]?.startsWith('-') ? ['serve', ...argv] : argv;
  if (command === 'help' || rest.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (command === 'version' || (command === 'serve' && (rest.includes('--version') || rest.includes('-v')))) {
    console.log(version());
    return 0;
  }
  if (command === 'wal') return walCommand(rest);
  if (command === 'keygen') return keygenCommand(rest);
  if (command === 'sink') return sinkCommand(rest);
  if (command === 'lake') return (await import('./lake/lake-command.js')).lakeCommand(rest);
  if (command === 'backfill' || command === 'redrive') return (await import('./reprocess/reprocess-command.js')).reprocessCommand(command, rest);
  if (command !== 'serve') return refuse(`unknown command "${command}"`);
  const parsed = parseFlags(rest, [CONFIG, HELP, VERSION], 0);
  if (parsed.status === 'failure') return refuse(parsed.message);
  const loaded = readConfig(parsed.flags.get('--config'));
  if (typeof loaded === 'number') return loaded;
  const { config, settings } = loaded;
  const log = createLogger(config.log.level);
  log.info({ event: LogEvent.ConfigLoaded, version: version(), settings: settingsObject(settings) }, 'config loaded');
  for (const line of describeSettings(settings)) console.error(`shopstream-collector: ${line}`);
  const { startCollector } = await import('./app.js');
  // /readyz can be green before delivery has started (see app.ts), so signals are handled from
  // here on: a SIGTERM during start-up stops gracefully once the start completes.
  const starting = startCollector(config, { log });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      console.error(`shopstream-collector: second ${signal}, exiting now`);
      process.exit(1);
    }
    console.error(`shopstream-collector: ${signal}, stopping (drain up to ${config.delivery.drainDeadlineMs} ms; send again to exit at once)`);
    starting
      .then((collector) => collector.stop(signal))
      .then(
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
    starting
      .then((collector) => collector.reloadSchemas())
      .then(
        (outcome) => console.error(outcome.status === 'success' ? `shopstream-collector: SIGHUP, ${outcome.schemaIds.length} schemas loaded` : `shopstream-collector: SIGHUP, schema reload failed (previous schemas stay): ${outcome.error.message}`),
        () => undefined, // a failed start is reported by main
      );
  });
  const collector = await starting;
  console.error(`shopstream-collector: ready on ${collector.url}`);
  return undefined;
}

/** The config named by `--config` (or the environment) and its settings; an exit code when it is unusable. */
function readConfig(path: string | true | undefined): { config: CollectorConfig; settings: Setting[] } | number {
  try {
    return loadConfigWithSettings({ env: process.env, sinkTypes, ...(typeof path === 'string' ? { path } : {}) });
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
  const parsed = parseFlags(args, [CONFIG], 2);
  if (parsed.status === 'failure') return refuse(parsed.message);
  const [action, name] = parsed.positionals;
  if (action !== 'sql' || !name) return refuse('sink needs sql and a sink name');
  const loaded = readConfig(parsed.flags.get('--config'));
  if (typeof loaded === 'number') return loaded;
  const { config } = loaded;
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
  const parsed = parseFlags(args, [{ name: '--key-id', value: true }], 0);
  if (parsed.status === 'failure') return refuse(parsed.message);
  const keyId = Number(parsed.flags.get('--key-id') ?? 1);
  if (!Number.isInteger(keyId) || keyId < 1 || keyId > 0xffff_ffff) {
    console.error('shopstream-collector: --key-id must be an integer from 1 to 4294967295');
    return 2;
  }
  const { sealingKeyPairJson } = await import('@shopstream/shared');
  process.stdout.write(await sealingKeyPairJson(keyId));
  return 0;
}

async function walCommand(args: readonly string[]): Promise<number> {
  if (args[0] === 'restore') {
    const { restoreCommand } = await import('./wal/archive/restore-command.js');
    return restoreCommand(args.slice(1), USAGE);
  }
  const parsed = parseFlags(args, [], 2);
  if (parsed.status === 'failure') return refuse(parsed.message);
  const [action, dir] = parsed.positionals;
  if (!dir || (action !== 'verify' && action !== 'repair')) return refuse('wal needs verify, repair or restore and a directory');
  const { formatVerifyReport, repairWal, verifyWal } = await import('./wal/verify.js');
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
