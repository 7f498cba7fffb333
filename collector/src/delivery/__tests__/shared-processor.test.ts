import { describe, expect, it } from 'vitest';
import type { Processor } from '../../pipeline/processor.js';
import { shareProcessed } from '../shared-processor.js';

const record = (lsn: number) => ({ lsn, nextLsn: lsn + 20, data: new Uint8Array(8) });

describe('shareProcessed', () => {
  it('processes a WAL record once for every sink, keeps at most entriesMax, and retries failures', async () => {
    let calls = 0;
    let fail = false;
    const inner: Processor = {
      async process(r) {
        calls += 1;
        if (fail) return { status: 'retry', stage: 'dedupe', error: new Error('redis down') };
        return { status: 'processed', lsn: r.lsn, receivedAtMs: 1, records: [] };
      },
    };
    const shared = shareProcessed(inner, 2);
    const [a, b] = await Promise.all([shared.process(record(0)), shared.process(record(0))]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    await shared.process(record(20));
    await shared.process(record(40)); // evicts Lsn 0
    await shared.process(record(0));
    expect(calls).toBe(4);
    fail = true;
    await expect(shared.process(record(60))).resolves.toMatchObject({ status: 'retry' });
    fail = false;
    await expect(shared.process(record(60))).resolves.toMatchObject({ lsn: 60 });
    expect(calls).toBe(6);
  });
});
