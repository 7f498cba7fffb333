import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { SinkRecord } from '../../sinks/sink.js';
import { createLakeSink } from '../../sinks/lake/lake-sink.js';
import { partitionTimeOf } from '../event-time.js';

const receivedAtMs = Date.parse('2026-12-05T10:05:00Z');
const rec = (index: number, timestamp: string, zone: SinkRecord['zone'] = 'clean'): SinkRecord => ({
  lsn: 1, index, zone, source: 'web', eventType: 'Product Viewed', receivedAtMs, json: JSON.stringify({ id: `e${index}`, type: 'Product Viewed', timestamp }),
});

it('partitions by event time when asked, late, far-future and unreadable times by receive time, audit always by receive time', async () => {
  const byEvent = partitionTimeOf('timestamp', 10 * 60_000);
  expect(byEvent(rec(0, '2026-12-05T09:58:00.000Z'))).toBe(Date.parse('2026-12-05T09:58:00Z')); // 7 min late: its own hour
  expect(byEvent(rec(1, '2026-12-04T23:00:00.000Z'))).toBe(receivedAtMs); // an offline backlog: the hour it arrived
  expect(byEvent(rec(2, '2027-01-01T00:00:00.000Z'))).toBe(receivedAtMs); // a clock far ahead
  expect(byEvent(rec(3, 'yesterday'))).toBe(receivedAtMs);
  expect(byEvent(rec(4, '2026-12-05T09:58:00.000Z', 'audit'))).toBe(receivedAtMs);
  expect(partitionTimeOf('receivedAt', 0)(rec(5, '2026-12-05T09:58:00.000Z'))).toBe(receivedAtMs);

  const dir = await mkdtemp(join(tmpdir(), 'lake-event-time-'));
  try {
    const sink = createLakeSink({ name: 'lake', dir, limits: { recordsMax: 10, bytesMax: 1 << 20, recordBytesMax: 1 << 20, lingerMs: 0 }, gzipLevel: 1, partitionTimeMs: byEvent });
    expect(await sink.write([rec(0, '2026-12-05T09:58:00.000Z'), rec(1, '2026-12-04T23:00:00.000Z')], AbortSignal.timeout(5000))).toEqual({ status: 'success' });
    expect((await readdir(join(dir, 'clean/source=web/event_type=product_viewed/dt=2026-12-05'))).sort()).toEqual(['hr=09', 'hr=10']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
