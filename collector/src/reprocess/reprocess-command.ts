/**
 * `shopstream-collector backfill` and `shopstream-collector redrive`: send events the lake holds
 * through the current chain again, after a schema fix or to rebuild clean from raw.
 *
 *   backfill --zone raw --from <YYYY-MM-DD/HH> --to <YYYY-MM-DD/HH> [--collector <url>] [--dry-run]
 *   redrive [--from …] [--to …] [--collector <url>] [--dry-run]
 *   redrive --dead-letters [--from …] [--to …] [--dry-run]   resend dead letters to the sink that refused them
 *   both: [--source <id>] [--config <file>] [--dir <lake> | --sink <lake or s3 sink name>]
 *
 * Progress on stderr; the final counts as one JSON line on stdout. Exit 0 when the run finished
 * (whatever the counts), 2 on bad arguments, 1 when the lake or the collector failed.
 */
import type { CollectorConfig } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { sinkTypes } from '../sinks/built-in-sink-types.js';
import { isCollectorError } from '../errors.js';
import { createLogger } from '../telemetry/log.js';
import { formatHour, parseHour } from './hour-range.js';
import { openLakeStore } from './lake-store.js';
import { createPreviewer } from './preview.js';
import { createProgress } from './progress.js';
import { createResender } from './resend.js';
import { REPROCESS_USAGE } from './reprocess-usage.js';
import { runReprocess } from './run-reprocess.js';

const VALUE_FLAGS = new Set(['--zone', '--from', '--to', '--clean-from', '--source', '--collector', '--config', '--dir', '--sink']);
const BOOLEAN_FLAGS = new Set(['--dry-run', '--dead-letters']);

function parseFlags(args: readonly string[]): Map<string, string> | string {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!;
    if (BOOLEAN_FLAGS.has(name)) flags.set(name, 'true');
    else if (VALUE_FLAGS.has(name)) {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) return `${name} needs a value`;
      flags.set(name, value);
    } else return `unknown argument "${name}"`;
  }
  return flags;
}

export async function reprocessCommand(command: 'backfill' | 'redrive', args: readonly string[]): Promise<number> {
  const usage = (why: string) => {
    console.error(`shopstream-collector ${command}: ${why}\nusage:\n${REPROCESS_USAGE}`);
    return 2;
  };
  const flags = parseFlags(args);
  if (typeof flags === 'string') return usage(flags);
  if (command === 'backfill') {
    if (flags.get('--zone') !== 'raw') return usage('--zone raw is required (the zone that keeps events as received)');
    if (!flags.has('--from') || !flags.has('--to')) return usage('--from and --to are required');
  } else if (flags.has('--zone')) return usage('redrive reads the failed zone; --zone is for backfill');
  if (command === 'backfill' && flags.has('--dead-letters')) return usage('--dead-letters is for redrive');
  const fromMs = flags.has('--from') ? parseHour(flags.get('--from')!, 'from') : undefined;
  const toMs = flags.has('--to') ? parseHour(flags.get('--to')!, 'to') : undefined;
  if (flags.has('--from') && fromMs === undefined) return usage('--from takes YYYY-MM-DD/HH or YYYY-MM-DD (UTC)');
  if (flags.has('--to') && toMs === undefined) return usage('--to takes YYYY-MM-DD/HH or YYYY-MM-DD (UTC)');
  const cleanFromMs = flags.has('--clean-from') ? parseHour(flags.get('--clean-from')!, 'from') : undefined;
  if (flags.has('--clean-from') && cleanFromMs === undefined) return usage('--clean-from takes YYYY-MM-DD/HH or YYYY-MM-DD (UTC)');
  const dryRun = flags.has('--dry-run');
  const range = { ...(fromMs === undefined ? {} : { fromMs }), ...(toMs === undefined ? {} : { toMs }) };

  const configPath = flags.get('--config');
  let config: CollectorConfig;
  try {
    config = loadConfig({ env: process.env, sinkTypes, ...(configPath ? { path: configPath } : {}) });
  } catch (error) {
    if (!isCollectorError(error) || error.code !== 'COLLECTOR_CONFIG_INVALID') throw error;
    console.error(`shopstream-collector ${command}: ${error.message}`);
    return 2;
  }
  const collectorUrl = flags.get('--collector') ?? `http://${config.listen.host}:${config.listen.port}`;
  const store = await openLakeStore(config, { ...(flags.has('--dir') ? { dir: flags.get('--dir')! } : {}), ...(flags.has('--sink') ? { sink: flags.get('--sink')! } : {}) });
  if (flags.has('--dead-letters')) {
    try {
      const { resendDeadLetters } = await import('./resend-dead-letters.js');
      const report = await resendDeadLetters(store, config, {
        ...range, ...(flags.has('--source') ? { source: flags.get('--source')! } : {}), dryRun,
        types: new Map(sinkTypes.map((t) => [t.type, t])), log: createLogger(config.log.level, process.stderr), nodeId: `redrive-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`,
      }, createProgress());
      process.stdout.write(`${JSON.stringify({ command, deadLetters: true, store: store.label, dryRun, ...report })}\n`);
      return report.retryable > 0 ? 1 : 0;
    } finally {
      await store.close();
    }
  }
  const previewer = dryRun ? await createPreviewer(config) : undefined;
  try {
    const send = previewer ? previewer.check : createResender(collectorUrl, config.sources);
    const zone = command === 'backfill' ? 'raw' : 'failed';
    const report = await runReprocess(store, { zone, ...(flags.has('--source') ? { source: flags.get('--source')! } : {}), ...range, ...(cleanFromMs === undefined ? {} : { cleanFromMs }) }, send, createProgress());
    const summary = {
      command, zone, store: store.label, dryRun, ...(flags.has('--source') ? { source: flags.get('--source') } : {}),
      ...(fromMs === undefined ? {} : { from: formatHour(fromMs) }), ...(toMs === undefined ? {} : { to: formatHour(toMs) }),
      ...(dryRun ? {} : { collector: collectorUrl }),
      ...report,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } finally {
    previewer?.close();
    await store.close();
  }
}
