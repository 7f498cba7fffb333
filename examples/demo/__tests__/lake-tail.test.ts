import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createLakeTail } from '../lake-tail.mjs';

const lakeDir = mkdtempSync(join(tmpdir(), 'shopstream-lake-tail-'));
afterAll(() => rmSync(lakeDir, { recursive: true, force: true }));

function writeLake(zone: string, type: string, name: string, events: object[]): void {
  const dir = join(lakeDir, zone, 'source=dev', `event_type=${type}`, 'dt=2026-11-23', 'hr=09');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), gzipSync(events.map((e) => JSON.stringify(e)).join('\n') + '\n'));
}

const event = (id: string, type: string, second: number) => ({ id, type, source: 'dev', timestamp: `2026-11-23T09:00:${String(second).padStart(2, '0')}.000Z`, receivedAt: `2026-11-23T09:00:${String(second).padStart(2, '0')}.500Z` });

describe('lake tail', () => {
  it('shows raw before a clean zone exists, then clean + failed, newest first, ignoring temp files', async () => {
    const tail = createLakeTail(lakeDir);
    expect(await tail(10)).toEqual({ events: [], totalLanded: 0, lakeDir });

    writeLake('raw', 'product_viewed', '0000000000000001_000000-0000000000000001_000001.ndjson.gz', [event('a', 'Product Viewed', 1), event('b', 'Product Viewed', 2)]);
    expect((await tail(10)).events.map((e) => [e.id, e.zone])).toEqual([['b', 'raw'], ['a', 'raw']]);

    writeLake('clean', 'product_viewed', '0000000000000001_000000-0000000000000001_000001.ndjson.gz', [event('a', 'Product Viewed', 1), event('b', 'Product Viewed', 2)]);
    writeLake('clean', 'order_completed', '0000000000000002_000000-0000000000000002_000000.ndjson.gz', [event('c', 'Order Completed', 3)]);
    writeLake('clean', 'order_completed', '.tmp-1-partial.ndjson.gz', [event('zz', 'Order Completed', 9)]);
    writeLake('failed', 'unknown', '0000000000000003_000000-0000000000000003_000000.ndjson.gz', [{ code: 'COLLECTOR_EVENT_INVALID', event: event('d', 'Bad Event', 4) }]);

    const view = await tail(3);
    expect(view.events.map((e) => [e.id, e.type, e.zone])).toEqual([['d', 'Bad Event', 'failed'], ['c', 'Order Completed', 'clean'], ['b', 'Product Viewed', 'clean']]);
    expect(view.totalLanded).toBe(3);
  });
});
