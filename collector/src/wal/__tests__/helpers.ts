import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach } from 'vitest';
import { join } from 'node:path';
import type { WriteAheadLog, WalRecord } from '../wal.js';

/** A fresh temp directory per test; `cleanup` removes it. */
export async function tempWalDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'shopstream-wal-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Registers hooks giving each test of the enclosing `describe` a fresh temp dir in `.dir`. */
export function useTempDir(): { readonly dir: string } {
  const state = { dir: '' };
  let cleanup = async (): Promise<void> => {};
  beforeEach(async () => ({ dir: state.dir, cleanup } = await tempWalDir()));
  afterEach(() => cleanup());
  return state;
}

/** Record `i` of a test: its index as text, padded with a pattern to `bytes`, so contents are checkable. */
export function testRecord(i: number, bytes = 100): Uint8Array {
  const head = `record-${i}:`;
  const out = Buffer.alloc(Math.max(bytes, head.length), i % 251);
  out.write(head, 0, 'utf8');
  return out;
}

export function recordIndex(data: Uint8Array): number {
  const text = Buffer.from(data.subarray(0, 24)).toString('utf8');
  const match = /^record-(\d+):/.exec(text);
  if (!match) throw new Error(`not a test record: ${JSON.stringify(text)}`);
  return Number(match[1]);
}

export async function readAll(wal: WriteAheadLog, from = 0): Promise<WalRecord[]> {
  const out: WalRecord[] = [];
  for await (const record of wal.read(from, Number.MAX_SAFE_INTEGER)) out.push(record);
  return out;
}
