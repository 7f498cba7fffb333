// Reads the newest events out of a local Hive-layout lake for the storefront's live panel:
// `<lakeDir>/<zone>/source=…/event_type=…/dt=…/hr=…/<lsn range>.ndjson.gz`. Files are written
// atomically (temp name, then rename), so any `.ndjson.gz` seen is whole; parsed files are
// cached by path + mtime + size, so a poll only reads what is new.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** Per poll; a demo lake far past this shows only its newest files. */
export const LAKE_FILES_SCANNED_MAX = 5000;
/** Cached parsed files; the oldest are evicted past it. */
export const LAKE_FILES_CACHED_MAX = 2000;

/**
 * @typedef {{ id: string, type: string, zone: string, source?: string, timestamp?: string, receivedAt?: string }} LandedEvent
 * @typedef {{ events: LandedEvent[], totalLanded: number, lakeDir: string }} LakeTail
 */

/** @param {string} lakeDir */
export function createLakeTail(lakeDir) {
  /** @type {Map<string, { key: string, events: LandedEvent[] }>} */
  const cache = new Map();

  /** @param {string} dir @returns {Promise<{ path: string, mtimeMs: number, size: number }[]>} */
  async function listFiles(dir) {
    const found = [];
    const walk = async (current) => {
      if (found.length >= LAKE_FILES_SCANNED_MAX) return;
      let entries;
      try {
        entries = await readdir(current, { withFileTypes: true });
      } catch {
        return; // a zone not written yet, or a partition removed under us
      }
      for (const entry of entries) {
        const path = join(current, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.name.endsWith('.ndjson.gz') && !entry.name.startsWith('.')) {
          const info = await stat(path).catch(() => undefined);
          if (info) found.push({ path, mtimeMs: info.mtimeMs, size: info.size });
        }
      }
    };
    await walk(dir);
    return found;
  }

  /** @param {{ path: string, mtimeMs: number, size: number }} file @param {string} zone */
  async function eventsOf(file, zone) {
    const key = `${file.mtimeMs}:${file.size}`;
    const cached = cache.get(file.path);
    if (cached?.key === key) return cached.events;
    const text = (await gunzipAsync(await readFile(file.path))).toString('utf8');
    const events = text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const record = JSON.parse(line);
        const event = record.event ?? record; // failed-zone records wrap the item
        return { id: String(event.id ?? record.id ?? ''), type: String(event.type ?? record.code ?? 'unknown'), zone, source: event.source, timestamp: event.timestamp, receivedAt: event.receivedAt };
      });
    cache.set(file.path, { key, events });
    if (cache.size > LAKE_FILES_CACHED_MAX) cache.delete(cache.keys().next().value);
    return events;
  }

  /** @param {number} rowsMax @returns {Promise<LakeTail>} */
  return async function tail(rowsMax) {
    const clean = await listFiles(join(lakeDir, 'clean'));
    // Before validation lands (or with it switched off) only raw exists: show that instead.
    const zones = clean.length > 0 ? [['clean', clean], ['failed', await listFiles(join(lakeDir, 'failed'))]] : [['raw', await listFiles(join(lakeDir, 'raw'))]];
    const all = [];
    for (const [zone, files] of zones) for (const file of files) all.push(...(await eventsOf(file, zone)));
    all.sort((a, b) => String(b.receivedAt ?? b.timestamp ?? '').localeCompare(String(a.receivedAt ?? a.timestamp ?? '')) || b.id.localeCompare(a.id));
    return { events: all.slice(0, rowsMax), totalLanded: all.filter((event) => event.zone !== 'failed').length, lakeDir };
  };
}
