/**
 * An acknowledgement lost on its way back: the first `count` requests the page sends to `url`
 * reach the collector (Playwright forwards them, body and headers as sent) but the page sees a
 * connection reset instead of the answer, so the tracker's own retry sends the same events again.
 * What must hold: the collector's dedupe keeps one copy in clean, and its audit counts the rest.
 */
import type { BrowserContext } from 'playwright-core';
import { expect } from 'vitest';
import { readLake } from '../../support/collector-process.js';
import { expectCleanOnce } from './clean-once.js';

export async function loseAnswers(context: BrowserContext, url: string, count: number): Promise<{ lost(): number; stop(): Promise<void> }> {
  let lost = 0;
  await context.route(url, async (route) => {
    if (route.request().method() !== 'POST' || lost >= count) return route.continue();
    lost++;
    await route.fetch(); // delivered and acknowledged...
    await route.abort('connectionreset'); // ...but the page never hears it
  });
  return { lost: () => lost, stop: () => context.unroute(url) };
}

/** Duplicates the collector dropped, as its audit records count them. */
export async function auditedDuplicates(lakeDir: string): Promise<number> {
  return (await readLake(lakeDir, 'audit')).reduce((sum, { value }) => sum + (Number(value.duplicates) || 0), 0);
}

/**
 * The whole lost-answer check: `send` makes the page send one event (returning its id) while the
 * first answer from `url` is lost; the event ends up once in clean, and the audit counts the resend.
 */
export async function expectLostAnswerResentOnce(context: BrowserContext, lakeDir: string, url: string, send: () => Promise<string>): Promise<void> {
  const before = await auditedDuplicates(lakeDir);
  const lose = await loseAnswers(context, url, 1);
  try {
    const id = await send();
    await expectCleanOnce(lakeDir, [id]);
    expect(lose.lost()).toBe(1);
    await expect.poll(() => auditedDuplicates(lakeDir), { timeout: 10_000 }).toBeGreaterThan(before);
  } finally {
    await lose.stop();
  }
}
