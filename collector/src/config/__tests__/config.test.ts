import { describe, expect, it } from 'vitest';
import { sinkTypes } from '../../sinks/built-in-sink-types.js';
import { INGEST_RECORD_OVERHEAD_BYTES, parseConfig, walRecordBytesMax } from '../config.js';
import { encodeIngestRecord } from '../../pipeline/ingest-record.js';
import { loadConfig } from '../load-config.js';
import { refused } from './refused.js';

const load = (env: Record<string, string> = {}, file?: { path: string; text: string }) =>
  loadConfig({ env, sinkTypes, ...(file ? { path: file.path, readFile: () => file.text } : {}) });

describe('config', () => {
  it('has working defaults with no config at all', () => {
    const config = load();
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(config.sources).toEqual([{ id: 'dev', writeKey: 'dev-key' }]);
    expect(config.wal).toMatchObject({ dir: './data/wal', fsync: 'always' });
    expect(config.lake.dir).toBe('./data/lake');
    expect(config.sinks).toMatchObject([{ type: 'lake', name: 'lake', limits: { lingerMs: 10_000 } }]);
  });

  it('keeps delivered WAL segments for the memory deduper\'s window unless told otherwise', () => {
    expect(parseConfig({}, sinkTypes).wal.retainMs).toBe(24 * 3_600_000);
    expect(parseConfig({ ingest: { dedupe: { windowMs: 3_600_000 } } }, sinkTypes).wal.retainMs).toBe(3_600_000);
    expect(parseConfig({ ingest: { dedupe: { store: 'redis', redisUrl: 'redis://127.0.0.1:6379' } } }, sinkTypes).wal.retainMs).toBe(0);
    expect(parseConfig({ wal: { retainMs: 0 } }, sinkTypes).wal.retainMs).toBe(0);
  });

  it('overlays env vars named after the config path, PORT, and JSON lists', () => {
    const config = load({
      PORT: '9000',
      SHOPSTREAM_LAKE_DIR: '/srv/lake',
      SHOPSTREAM_WAL_DIR: '/srv/wal',
      SHOPSTREAM_WAL_QUOTA_BYTES: '1073741824',
      SHOPSTREAM_WAL_SYNCS_IN_FLIGHT_MAX: '1',
      SHOPSTREAM_SOURCES: '[{"id":"web","writeKey":"wk_live_123456"}]',
      SHOPSTREAM_ENDPOINT: 'http://elsewhere', // the Node SDK example's variable: not the collector's
    });
    expect(config.listen.port).toBe(9000);
    expect(config.lake.dir).toBe('/srv/lake');
    expect(config.wal).toMatchObject({ dir: '/srv/wal', quotaBytes: 1073741824, syncsInFlightMax: 1 });
    expect(config.sources).toEqual([{ id: 'web', writeKey: 'wk_live_123456' }]);
  });

  it('reads YAML files, env winning over the file', () => {
    const text = 'listen:\n  port: 7000\nwal:\n  fsync: interval\n  fsyncIntervalMs: 50\nsinks:\n  - type: lake\n    name: archive\n    limits: { lingerMs: 200 }\nrouting:\n  - sink: archive\n    zones: [clean]\n';
    const config = load({ PORT: '7100' }, { path: 'c.yaml', text });
    expect(config.listen.port).toBe(7100);
    expect(config.wal).toMatchObject({ fsync: 'interval', fsyncIntervalMs: 50 });
    expect(config.sinks[0]).toMatchObject({ name: 'archive', limits: { lingerMs: 200 } });
    expect(config.routing).toEqual([{ sink: 'archive', zones: ['clean'], eventTypes: [] }]);
  });

  it('names the key and what is expected in one line', () => {
    expect(refused(() => load({ SHOPSTREAM_WAL_QUOTA_BYTES: 'lots' }))).toMatch(/^config: wal\.quotaBytes \(from SHOPSTREAM_WAL_QUOTA_BYTES\) must be an integer from 16384 to \d+ \(bytes\), got "lots"$/);
    expect(refused(() => load({ SHOPSTREAM_WAL_SYNCS_IN_FLIGHT_MAX: '0' }))).toBe('config: wal.syncsInFlightMax (from SHOPSTREAM_WAL_SYNCS_IN_FLIGHT_MAX) must be an integer from 1 to 16 (fdatasyncs), got 0');
    expect(refused(() => load({ PORT: '70000' }))).toBe('config: listen.port (from PORT) must be an integer from 0 to 65535, got 70000');
    expect(refused(() => parseConfig({ limits: { bodyByteMax: 5 } }, sinkTypes))).toMatch(/^config: limits\.bodyByteMax is not a known key \(known here: bodyBytesMax/);
    expect(refused(() => parseConfig({ sinks: [{ type: 'kafka' }] }, sinkTypes))).toMatch(/^config: sinks\[0\]\.type must be one of .*"lake".*, got "kafka"$/);
    expect(refused(() => parseConfig({ routing: [{ sink: 'nope' }] }, sinkTypes))).toMatch(/routing\[0\]\.sink must name a configured sink \(lake\)/);
    expect(refused(() => parseConfig({ sources: [{ id: 'a', writeKey: 'same-key' }, { id: 'b', writeKey: 'same-key' }] }, sinkTypes))).toMatch(/sources\[\]\.writeKey must be unique/);
    expect(refused(() => parseConfig({ wal: { fsync: 'sometimes' } }, sinkTypes))).toMatch(/wal\.fsync must be one of "always", "interval"/);
    expect(refused(() => parseConfig({ wal: { segmentBytesMax: 1 << 20, quotaBytes: 1 << 20 } }, sinkTypes))).toMatch(/wal\.quotaBytes must be at least twice wal\.segmentBytesMax/);
    expect(refused(() => parseConfig({ wal: { segmentBytesMax: 4096, quotaBytes: 1 << 20 } }, sinkTypes))).toMatch(
      /^config: wal\.segmentBytesMax must hold one WAL record of the largest body accepted \(max\(limits\.bodyBytesMax, limits\.decodedBytesMax\) \+ 4096 \+ 12 = 8392716 bytes\); raise it or lower those limits, got 4096$/,
    );
    expect(refused(() => load({}, { path: 'c.yaml', text: 'listen: [unclosed' }))).toMatch(/^config: c\.yaml is not valid YAML/);
    expect(refused(() => load({ SHOPSTREAM_SOURCES: '{oops' }))).toMatch(/^config: sources \(from SHOPSTREAM_SOURCES\) must be JSON, got "\{oops"$/);
    expect(refused(() => loadConfig({ env: {}, sinkTypes, path: '/nonexistent/collector.yaml' }))).toMatch(/cannot read the config file \/nonexistent\/collector\.yaml \(ENOENT\)/);
  });

  it('reads several HMAC secrets per source (ids unique, at most 4) beside the old single secret', () => {
    const config = parseConfig(
      { sources: [{ id: 'srv', writeKey: 'srv-key-1', secret: 'legacy-secret', secrets: [{ id: 'k2', secret: 'new-secret' }, { id: 'k1', secret: 'old-secret' }] }, { id: 'web', writeKey: 'web-key-1' }] },
      sinkTypes,
    );
    expect(config.sources[0]).toEqual({
      id: 'srv',
      writeKey: 'srv-key-1',
      secret: 'legacy-secret',
      secrets: [{ secret: 'legacy-secret' }, { id: 'k2', secret: 'new-secret' }, { id: 'k1', secret: 'old-secret' }],
    });
    expect(config.sources[1]).toEqual({ id: 'web', writeKey: 'web-key-1' });
    const two = (id: string) => ({ sources: [{ id: 'srv', writeKey: 'srv-key-1', secrets: [{ id: 'k1', secret: 'a' }, { id, secret: 'b' }] }] });
    expect(refused(() => parseConfig(two('k1'), sinkTypes))).toMatch(/sources\[srv\]\.secrets\[\]\.id must be unique/);
    expect(refused(() => parseConfig(two('bad id'), sinkTypes))).toMatch(/secrets\[1\]\.id must be 1 to 64 letters/);
    const five = { sources: [{ id: 'srv', writeKey: 'srv-key-1', secrets: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, secret: id })) }] };
    expect(refused(() => parseConfig(five, sinkTypes))).toMatch(/holds at most 4 secrets/);
  });

  it('sizes WAL records so any accepted body fits one, and refuses segments too small for that record', () => {
    const MiB = 1024 * 1024;
    const big = { limits: { bodyBytesMax: 256 * MiB } };
    expect(refused(() => parseConfig(big, sinkTypes))).toMatch(/^config: wal\.segmentBytesMax must hold one WAL record .* = 268439564 bytes\)/);
    const config = parseConfig({ ...big, wal: { segmentBytesMax: 512 * MiB, quotaBytes: 2048 * MiB } }, sinkTypes);
    expect(walRecordBytesMax(config.limits)).toBe(256 * MiB + INGEST_RECORD_OVERHEAD_BYTES);
    // The gzip-decoded body counts too: a JSON body is stored after Content-Encoding is undone.
    expect(walRecordBytesMax(parseConfig({}, sinkTypes).limits)).toBe(8 * MiB + INGEST_RECORD_OVERHEAD_BYTES);
    // The overhead bounds a real record's fields: longest source id, a request id, a body at the limit.
    const body = new Uint8Array(64 * 1024);
    const record = encodeIngestRecord({ v: 1, source: 'a'.repeat(63), receivedAtMs: Date.now(), requestId: '0193a0b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b', contentKind: 'json', body });
    expect(record.length - body.length).toBeLessThan(INGEST_RECORD_OVERHEAD_BYTES / 16);
  });
});
