/**
 * Shared pieces of the backfill/redrive tests: a custom schema with a "bug" (it requires a field
 * the clients never send) that a test fixes, and the CLI run as a child process whose stdout JSON
 * line is the report.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { EventEnvelope } from '@shopstream/shared';
import { COLLECTOR_CLI, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { PII_CONFIG, cartViewed, frame, post } from '../ingest/ingest-harness.js';
import { signRequest } from '../../collector/src/gates/signature/request-signature.js';

export const WRITE_KEY = 'web-key-1';
const SECRET = { id: 'k1', secret: 'reprocess-test-secret-0123456789abcdef' };
/**
 * Sources for a collector under test: `web` for the events, signed (so the resend must sign with the
 * source's secret), and `probe` for schema checks (left out with `--source web`).
 */
export const SOURCES = [{ id: 'web', writeKey: WRITE_KEY, secrets: [SECRET] }, { id: 'probe', writeKey: 'probe-key' }];

export const setSchema = (dir: string, required: string[]) => writeFile(join(dir, 'wishlist-shared@1.0.0.json'), JSON.stringify({
  'x-event': { name: 'Wishlist Shared', kind: 'track', version: '1.0.0' },
  type: 'object',
  properties: { properties: { type: 'object', properties: { wishlist_id: { type: 'string' } }, required } },
}));

export const wish = (n: number, properties: Record<string, unknown> = {}) => cartViewed({ type: 'Wishlist Shared', properties: { wishlist_id: `w${n}`, ...properties }, context: { ip: `10.0.0.${n % 250}` } });

export interface BuggyCollector {
  readonly collector: CollectorProcess;
  /** The custom schema folder (watched by the collector). */
  readonly schemas: string;
  cleanup(): Promise<void>;
}

/** A collector whose custom schema has the bug (`wishlist_ref` required); `config` (given the schema folder) adds sinks and more. */
export async function startWithBuggySchema(config: (schemas: string) => Record<string, unknown> = () => ({}), env: Record<string, string> = {}): Promise<BuggyCollector> {
  const schemas = await mkdtemp(join(tmpdir(), 'reprocess-schemas-'));
  await setSchema(schemas, ['wishlist_ref']);
  const collector = await startCollectorProcess({ config: { sources: SOURCES, ingest: { pii: PII_CONFIG, schemas: { customDir: schemas, watch: true } }, ...config(schemas) }, env });
  return {
    collector, schemas,
    async cleanup() {
      await collector.cleanup();
      await rm(schemas, { recursive: true, force: true });
    },
  };
}

/** Waits until the collector's schemas refuse (or accept) a wishlist without `wishlist_ref`. */
export async function schemaApplies(collector: CollectorProcess, required: boolean): Promise<void> {
  await waitFor(async () => {
    const res = await post(collector.url, JSON.stringify([cartViewed({ type: 'Wishlist Shared', properties: { wishlist_id: 'probe' } })]), 'probe-key', { 'x-shopstream-validate': 'sync' });
    const verdict = ((await res.json()) as { validation: { events: { status: string }[] } }).validation.events[0]!;
    return (verdict.status === 'rejected') === required;
  }, 10_000, `the schema (required: ${required}) to apply`);
}

export async function sendEvents(collector: CollectorProcess, events: readonly EventEnvelope[]): Promise<void> {
  const body = await frame(events);
  const res = await post(collector.url, body, WRITE_KEY, signRequest(SECRET.secret, body, Date.now(), SECRET.id));
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

export interface Report { rows: number; sent: number; passed: number; failed: number; failedByCode: Record<string, number>; duplicate: number; alreadyClean: number; notRedrivable: number; notRedrivableBy: Record<string, number>; files: number }

/** Runs `backfill`/`redrive` for source `web` with the collector's own config (or `configPath`); resolves with the stdout JSON line. */
export function cli<T = Report>(collector: CollectorProcess, args: string[], env: Record<string, string> = {}, configPath = join(collector.dir, 'collector.json')): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [COLLECTOR_CLI, ...args, '--source', 'web', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOPSTREAM_LOG_LEVEL: 'warn', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}:\n${err}\n${out}`));
      expect(err).toMatch(/\d+ files.*\d+ (sent|resent)/); // the progress line, on stderr
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(1);
      resolve(JSON.parse(lines[0]!) as T);
    });
  });
}
