import { describe, expect, it } from 'vitest';
import type { SinkRecord } from '../../../sink.js';
import { groupByPartition, objectKey } from '../object-key.js';

const at = (lsn: number, index: number, eventType: string, iso: string): SinkRecord => ({
  lsn, index, zone: 'clean', source: 'Web Shop', eventType, eventId: `e${lsn}.${index}`, receivedAtMs: Date.parse(iso), json: '{}',
});

describe('S3 object keys', () => {
  it('groups a batch by Hive partition in WAL order and names each file by its first and last WAL position', () => {
    const batch = [
      at(100, 0, 'Product Viewed', '2026-11-23T09:59:59.999Z'),
      at(100, 1, 'Order Completed', '2026-11-23T09:59:59.999Z'),
      at(250, 0, 'Product Viewed', '2026-11-23T10:00:00.000Z'),
      at(300, 2, 'Product Viewed', '2026-11-23T09:10:00.000Z'),
    ];
    const keys = [...groupByPartition(batch)].map(([partition, records]) => objectKey('/lake/', partition, records, 'ndjson'));
    expect(keys).toEqual([
      'lake/clean/source=web_shop/event_type=product_viewed/dt=2026-11-23/hr=09/0000000000000100_000000-0000000000000300_000002.ndjson.gz',
      'lake/clean/source=web_shop/event_type=order_completed/dt=2026-11-23/hr=09/0000000000000100_000001-0000000000000100_000001.ndjson.gz',
      'lake/clean/source=web_shop/event_type=product_viewed/dt=2026-11-23/hr=10/0000000000000250_000000-0000000000000250_000000.ndjson.gz',
    ]);
    expect(objectKey('', 'raw/x', [batch[0]!], 'parquet')).toBe('raw/x/0000000000000100_000000-0000000000000100_000000.parquet');
  });

  it('puts the node id first in the name, so collectors sharing a bucket and prefix never collide, and a replay keeps its key', () => {
    const records = [at(100, 0, 'Product Viewed', '2026-11-23T09:00:00.000Z'), at(300, 2, 'Product Viewed', '2026-11-23T09:10:00.000Z')];
    const [[partition, group]] = [...groupByPartition(records)] as [[string, SinkRecord[]]];
    const a = objectKey('lake', partition, group, 'ndjson', 'collector-a');
    const b = objectKey('lake', partition, group, 'ndjson', 'collector-b');
    expect(a).toBe('lake/clean/source=web_shop/event_type=product_viewed/dt=2026-11-23/hr=09/collector-a-0000000000000100_000000-0000000000000300_000002.ndjson.gz');
    expect(b).not.toBe(a);
    expect(objectKey('lake', partition, [...group], 'ndjson', 'collector-a')).toBe(a); // replay: same key
    expect(objectKey('', 'raw/x', [group[0]!], 'parquet', 'pod/1 ü')).toBe('raw/x/pod_1__-0000000000000100_000000-0000000000000100_000000.parquet');
  });
});
