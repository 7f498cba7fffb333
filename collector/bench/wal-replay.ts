// Write-ahead log: append throughput with fsync always (group commit), then replay speed
// (open + recovery + read every record, CRC checked) against a raw sequential fs.readFile of
// the same segment files, measured in the same run. Usage: npm run bench -- wal-replay [MB]
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWal } from '../src/wal/index.js';

const totalBytes = Number(process.argv[2] ?? 200) * 1e6;
const inflightMax = 32;
const MB = 1e6;

/** 10–60 KB records from a fixed pseudo-random sequence (same data every run). */
function makeRecords(): Uint8Array[] {
  const records: Uint8Array[] = [];
  let seed = 42;
  let bytes = 0;
  const pool = Buffer.alloc(64 * 1024);
  for (let i = 0; i < pool.length; i++) pool[i] = (i * 131 + (i >> 8)) & 0xff;
  while (bytes < totalBytes) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const size = 10_000 + (seed % 50_001);
    records.push(pool.subarray(seed % 1024, (seed % 1024) + size));
    bytes += size;
  }
  return records;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shopstream-wal-bench-'));
  try {
    const records = makeRecords();
    const payloadBytes = records.reduce((sum, r) => sum + r.length, 0);

    // 1. Append, fsync always, `inflightMax` appends in flight (as concurrent HTTP requests would be).
    const wal = await openWal({ dir });
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: inflightMax }, async () => {
        while (next < records.length) await wal.append([records[next++]!]);
      }),
    );
    const appendSec = (performance.now() - started) / 1000;
    const { fsyncCount, bytesOnDisk, segmentCount } = wal.stats();
    await wal.close();
    const appendMBps = payloadBytes / MB / appendSec;
    console.log(`append (fsync always, ${inflightMax} in flight): ${records.length} records, ${(payloadBytes / MB).toFixed(0)} MB in ${appendSec.toFixed(2)} s = ${appendMBps.toFixed(1)} MB/s, ${(records.length / appendSec).toFixed(0)} records/s, ${fsyncCount} fsyncs = ${(fsyncCount / appendSec).toFixed(0)} fsyncs/s (${(records.length / fsyncCount).toFixed(1)} records per fsync), ${segmentCount} segments`);

    // 2. For comparison, 2 s each: one append at a time (no group to share, one fsync per record),
    //    and 32 in flight with fsync every 100 ms (what `always` costs).
    //    Also 32 in flight with one fdatasync at a time against overlapping ones (syncsInFlightMax).
    for (const [label, inflight, fsync, syncsInFlightMax] of [
      ['fsync always, 1 in flight', 1, { mode: 'always' }, 1],
      ['fsync always, 32 in flight, one flush at a time', inflightMax, { mode: 'always' }, 1],
      ['fsync always, 32 in flight, 2 flushes overlapping', inflightMax, { mode: 'always' }, 2],
      ['fsync interval 100 ms, 32 in flight', inflightMax, { mode: 'interval', intervalMs: 100 }, 1],
    ] as const) {
      const other = await openWal({ dir: join(dir, 'other'), fsync, syncsInFlightMax });
      const otherStart = performance.now();
      let count = 0;
      let bytes = 0;
      await Promise.all(
        Array.from({ length: inflight }, async () => {
          while (performance.now() - otherStart < 2000) {
            const record = records[count++ % records.length]!;
            await other.append([record]);
            bytes += record.length;
          }
        }),
      );
      const sec = (performance.now() - otherStart) / 1000;
      const fsyncs = other.stats().fsyncCount;
      await other.close();
      console.log(`append (${label}): ${(bytes / MB / sec).toFixed(1)} MB/s, ${(count / sec).toFixed(0)} records/s, ${(fsyncs / sec).toFixed(0)} fsyncs/s`);
      await rm(join(dir, 'other'), { recursive: true });
    }

    // 3. Baseline: raw sequential read of the segment files (same page cache state as the replay).
    const files = (await readdir(dir)).filter((name) => name.endsWith('.wal')).sort();
    const rawStart = performance.now();
    let rawBytes = 0;
    for (const file of files) rawBytes += (await readFile(join(dir, file))).length;
    const rawMBps = rawBytes / MB / ((performance.now() - rawStart) / 1000);

    // 4. Replay: open (recovery scans the newest segment) + read everything.
    const replayStart = performance.now();
    const replay = await openWal({ dir });
    let replayRecords = 0;
    let replayBytes = 0;
    for await (const record of replay.read(0, Number.MAX_SAFE_INTEGER)) {
      replayRecords += 1;
      replayBytes += record.data.length;
    }
    const replaySec = (performance.now() - replayStart) / 1000;
    await replay.close();
    if (replayRecords !== records.length || replayBytes !== payloadBytes) throw new Error(`replay read ${replayRecords} records / ${replayBytes} B, wrote ${records.length} / ${payloadBytes}`);
    const replayMBps = bytesOnDisk / MB / replaySec;
    console.log(`raw fs.readFile: ${(rawBytes / MB).toFixed(0)} MB at ${rawMBps.toFixed(0)} MB/s; replay: ${replayRecords} records at ${replayMBps.toFixed(0)} MB/s (${(replayRecords / replaySec).toFixed(0)} records/s)`);
    console.log(JSON.stringify({ bench: 'wal-replay', value: round(replayMBps), unit: 'MB/s', baseline: round(rawMBps), ratio: round(replayMBps / rawMBps), appendMBps: round(appendMBps), appendFsyncsPerSec: round(fsyncCount / appendSec) }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

await main();
