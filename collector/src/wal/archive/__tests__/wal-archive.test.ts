/**
 * The archive's shipper and restore against a real S3 API (s3rver): durable bytes ship in parts,
 * retention waits for the archive, parts of released segments go, restore rebuilds the same
 * records, cursors and node id, and refuses what it cannot rebuild faithfully.
 */
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../sinks/aws/clients.js';
import { openWal, type OpenedWal } from '../../open-wal.js';
import { readAll, recordIndex, testRecord, useTempDir } from '../../__tests__/helpers.js';
import { ARCHIVE_CURSOR_NAME, parsePartKey, walPrefix } from '../archive-layout.js';
import { s3ArchiveStore, type ArchiveStore } from '../archive-store.js';
import { restoreWal } from '../restore.js';
import { WalShipper } from '../wal-shipper.js';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };
process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';

let server: InstanceType<typeof S3rver>;
let s3Dir: string;
let endpoint: string;
beforeAll(async () => {
  s3Dir = await mkdtemp(join(tmpdir(), 'shopstream-archive-s3-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, configureBuckets: [{ name: 'archive' }] });
  endpoint = `http://127.0.0.1:${(await server.run()).port}`;
});
afterAll(async () => {
  await server?.close();
  await rm(s3Dir, { recursive: true, force: true });
});

const store = (bucket = 'archive'): ArchiveStore => s3ArchiveStore(createS3Client({ endpoint, region: 'us-east-1' }), bucket);
let bases = 0;
const newBase = () => `test-${process.pid}-${++bases}/node-a`;

async function filledWal(dir: string, count: number): Promise<OpenedWal> {
  const wal = await openWal({ dir, segmentBytesMax: 4096, cursorNames: ['sink', ARCHIVE_CURSOR_NAME] });
  for (let i = 0; i < count; i++) await wal.append([testRecord(i, 300)]);
  return wal;
}

function shipper(wal: OpenedWal, dir: string, base: string, archive = store(), ack: 'local' | 'replicated' = 'local'): WalShipper {
  return new WalShipper({ wal, dir, store: archive, base, nodeId: 'node-a', ack, intervalMs: 20, partBytesMax: 1000, cursorSaveIntervalMs: 0 });
}

/** The store with one PUT failing: the first whose key `failing` picks (a fault seam, like fault-fs). */
function failingOnce(inner: ArchiveStore, failing: (key: string) => boolean): ArchiveStore & { failed: () => boolean } {
  let failed = false;
  return {
    ...inner,
    failed: () => failed,
    async put(key, body, signal) {
      if (!failed && failing(key)) {
        failed = true;
        await new Promise((r) => setTimeout(r, 50)); // the next part, sent meanwhile, lands first
        throw Object.assign(new Error('injected S3 failure'), { name: 'ServiceUnavailable' });
      }
      return inner.put(key, body, signal);
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('WAL archive', () => {
  const temp = useTempDir();

  it('retention keeps segments the archive lacks; once archived and delivered they go, locally and in the archive', async () => {
    const wal = await filledWal(temp.dir, 40); // ~12 KB over 4 KB segments
    await wal.cursors.save('sink', { committed: wal.stats().endLsn });
    const failing = shipper(wal, temp.dir, newBase(), store('no-such-bucket'));
    await failing.start();
    await until(() => failing.status().failures > 0, 'a failed round');
    expect((await wal.applyRetention()).deletedSegments, 'nothing is deleted before it is archived').toBe(0);
    await failing.stop();

    const base = newBase();
    const working = shipper(wal, temp.dir, base);
    await working.start();
    await until(() => working.status().archivedLsn === wal.stats().endLsn, 'the archive to catch up');
    await until(async () => (await wal.cursors.load(ARCHIVE_CURSOR_NAME)).committed === wal.stats().endLsn, '_archive saved');
    const segmentsBefore = wal.stats().segmentCount;
    expect((await wal.applyRetention()).deletedSegments).toBe(segmentsBefore - 1);
    await wal.append([testRecord(40, 300)]); // the next round sees the released segments
    await until(async () => new Set((await store().list(walPrefix(base))).map((key) => key.split('/').at(-2))).size === 1, 'parts of released segments deleted');
    await working.stop({ flush: true });
    await wal.close();
  });

  it('restore rebuilds the records, cursors and node id; a missing part or a used directory is refused', async () => {
    const base = newBase();
    const wal = await filledWal(temp.dir, 30);
    const ship = shipper(wal, temp.dir, base);
    await ship.start();
    for (let i = 30; i < 60; i++) await wal.append([testRecord(i, 300)]); // while shipping: overlapping rounds
    await wal.cursors.save('sink', { committed: 0 });
    await until(() => ship.status().archivedLsn === wal.stats().endLsn, 'the archive to catch up');
    await ship.stop({ flush: true });
    const original = (await readAll(wal)).map((r) => recordIndex(r.data));
    const endLsn = wal.stats().endLsn;
    await wal.close();
    await store().put(`${base}/cursors/sink.json`, Buffer.from(JSON.stringify({ committed: 600, inflight: { from: 600, to: 1224 } })));

    const target = join(temp.dir, 'restored');
    const report = await restoreWal({ store: store(), base, dir: target });
    expect(report).toMatchObject({ nodeId: 'node-a', endLsn, cursors: { sink: { committed: 600, inflight: { from: 600, to: 1224 } } } });
    expect((await readFile(join(target, 'node-id'), 'utf8')).trim()).toBe('node-a');
    const restored = await openWal({ dir: target, segmentBytesMax: 4096 });
    expect((await readAll(restored)).map((r) => recordIndex(r.data))).toEqual(original);
    expect(await restored.cursors.load(ARCHIVE_CURSOR_NAME)).toEqual({ committed: endLsn });
    expect(restored.recovery).toMatchObject({ truncatedBytes: 0 });
    await restored.close();

    await expect(restoreWal({ store: store(), base, dir: target })).rejects.toMatchObject({ code: 'COLLECTOR_WAL_RESTORE_NOT_EMPTY' });
    const parts = await store().list(walPrefix(base));
    const inner = parts.map((key) => parsePartKey(base, key)!).find((part) => part.fromOffset > 0)!;
    await store().delete([inner.key]);
    await expect(restoreWal({ store: store(), base, dir: join(temp.dir, 'again') })).rejects.toMatchObject({ code: 'COLLECTOR_WAL_ARCHIVE_GAP' });
  });

  it('replicated, two PUTs in flight: a failed part holds the archived end even when the next one landed, and is sent again', async () => {
    const base = newBase();
    const wal = await filledWal(temp.dir, 1);
    const faulty = failingOnce(store(), (key) => parsePartKey(base, key)?.fromOffset === 1000);
    const ship = shipper(wal, temp.dir, base, faulty, 'replicated');
    await ship.start();
    const acked: number[] = [];
    await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const [lsn] = await wal.append([testRecord(i + 1, 300)]);
      await ship.waitArchived(lsn! + 12 + 300);
      acked.push(i);
    }));
    expect(faulty.failed()).toBe(true);
    expect(acked).toHaveLength(40);
    expect(ship.status()).toMatchObject({ archivedLsn: wal.stats().endLsn, failures: 0 });
    await ship.stop({ flush: true });
    const original = (await readAll(wal)).map((r) => recordIndex(r.data));
    await wal.close();
    const target = join(temp.dir, 'restored');
    await restoreWal({ store: store(), base, dir: target });
    const restored = await openWal({ dir: target, segmentBytesMax: 4096 });
    expect((await readAll(restored)).map((r) => recordIndex(r.data))).toEqual(original);
    await restored.close();
  });

  it('halts rather than overwrite an archive holding a longer log than this directory', async () => {
    const base = newBase();
    const longer = await filledWal(join(temp.dir, 'old'), 20);
    const first = shipper(longer, join(temp.dir, 'old'), base);
    await first.start();
    await until(() => first.status().archivedLsn === longer.stats().endLsn, 'the first log archived');
    await first.stop();
    await longer.close();

    const fresh = await filledWal(join(temp.dir, 'fresh'), 2);
    const second = shipper(fresh, join(temp.dir, 'fresh'), base);
    await second.start();
    await until(() => second.status().halted !== undefined, 'the shipper to halt');
    expect(second.status().halted).toContain('wal restore');
    await second.stop();
    await fresh.close();
  });
});
