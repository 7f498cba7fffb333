import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWal } from '../open-wal.js';
import { readAll, recordIndex, tempWalDir } from './helpers.js';
import { seededRandomFromEnv } from '../../__tests__/seeded-random.js';

const random = seededRandomFromEnv('WAL kill timing');

const FIXTURE = join(import.meta.dirname, 'fixtures', 'append-until-killed.ts');
const RUNS = 4;

interface Run {
  readonly acked: Map<number, number>;
  readonly recovery: unknown;
}

/** Starts the appender, waits for `ackTarget` acks (plus a random few ms), then SIGKILLs its whole process group. */
function appendUntilKilled(dir: string, firstSeq: number, ackTarget: number, children: Set<number>): Promise<Run> {
  return new Promise((resolve, reject) => {
    // Own process group: npx and tsx start node children, and all of them must die at once.
    const child = spawn('npx', ['tsx', FIXTURE, dir, String(firstSeq)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child.pid!);
    const acked = new Map<number, number>();
    let recovery: unknown;
    let buffered = '';
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [kind, a, b] = line.split(' ');
        if (kind === 'ready') recovery = JSON.parse(line.slice('ready '.length));
        if (kind === 'ack') acked.set(Number(a), Number(b));
      }
      if (!killing && acked.size >= ackTarget) {
        killing = true;
        setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), Math.floor(random() * 20));
      }
    });
    child.on('close', (code, signal) => {
      children.delete(child.pid!);
      if (!killing) reject(new Error(`appender exited by itself (${code ?? signal}): ${stderr}`));
      else resolve({ acked, recovery });
    });
  });
}

describe('kill -9 while appending', () => {
  const children = new Set<number>();
  afterAll(() => {
    for (const pid of children) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('keeps every acknowledged record, in order, and never shows a partial one', async () => {
    const { dir, cleanup } = await tempWalDir();
    try {
      const ackedAll = new Map<number, number>();
      for (let run = 0; run < RUNS; run++) {
        const { acked, recovery } = await appendUntilKilled(dir, run * 1_000_000, 150 + Math.floor(random() * 300), children);
        expect(acked.size).toBeGreaterThan(0);
        expect(recovery).toMatchObject({ skippedCorruptRecords: 0 });
        for (const [seq, lsn] of acked) ackedAll.set(seq, lsn);

        const wal = await openWal({ dir, segmentBytesMax: 1024 * 1024 });
        expect(wal.recovery.skippedCorruptRecords).toBe(0);
        const records = await readAll(wal);
        const seqs = records.map((r) => recordIndex(r.data));
        // In order: sequence numbers only grow (each run starts a million higher).
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
        // Whole: every record's bytes are exactly what was appended.
        for (const [i, record] of records.entries()) {
          const seq = seqs[i]!;
          expect(record.data.length).toBe(200 + ((seq * 7919) % 30_000));
          const fill = Buffer.from(record.data).subarray(`record-${seq}:`.length);
          expect(fill.every((byte) => byte === seq % 251)).toBe(true);
        }
        // Every acknowledged record is there, at the Lsn its ack named.
        const lsnBySeq = new Map(records.map((r, i) => [seqs[i]!, r.lsn]));
        for (const [seq, lsn] of ackedAll) expect(lsnBySeq.get(seq)).toBe(lsn);
        await wal.close();
      }
      expect(ackedAll.size).toBeGreaterThanOrEqual(RUNS * 150);
    } finally {
      await cleanup();
    }
  });
});
