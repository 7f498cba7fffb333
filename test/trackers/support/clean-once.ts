/**
 * What a shop counts: the lake's clean zone after the collector's dedupe. Waits until every id
 * is there, gives a late duplicate half a second to land, then expects each id exactly once.
 */
import { expect } from 'vitest';
import { readLake, waitFor } from '../../support/collector-process.js';

export type LakeEvent = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function cleanCopies(lakeDir: string, ids: readonly string[]): Promise<Map<string, LakeEvent[]>> {
  const wanted = new Set(ids);
  const copies = new Map<string, LakeEvent[]>();
  for (const { value } of await readLake(lakeDir, 'clean')) {
    const id = value.id as string;
    if (wanted.has(id)) copies.set(id, [...(copies.get(id) ?? []), value]);
  }
  return copies;
}

/** Each of `ids` once in clean; returns the events by id. */
export async function expectCleanOnce(lakeDir: string, ids: readonly string[], timeoutMs = 20_000): Promise<Map<string, LakeEvent>> {
  expect(new Set(ids).size).toBe(ids.length);
  try {
    await waitFor(async () => (await cleanCopies(lakeDir, ids)).size === ids.length, timeoutMs, `${ids.length} ids in clean`);
  } catch (error) {
    // Say which ids are missing and what the failed zone holds, so a failure explains itself.
    const found = await cleanCopies(lakeDir, ids);
    const failed = (await readLake(lakeDir, 'failed')).map(({ value }) => JSON.stringify(value).slice(0, 600));
    throw new Error(`${(error as Error).message}; missing ${JSON.stringify(ids.filter((id) => !found.has(id)))}; failed zone: ${failed.join('\n') || 'empty'}`);
  }
  await new Promise((r) => setTimeout(r, 500));
  const copies = await cleanCopies(lakeDir, ids);
  expect(ids.filter((id) => copies.get(id)?.length !== 1)).toEqual([]);
  return new Map([...copies].map(([id, [event]]) => [id, event!]));
}
