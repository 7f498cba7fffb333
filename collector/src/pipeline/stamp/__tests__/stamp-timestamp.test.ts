import { describe, expect, it } from 'vitest';
import { stampTimestamp } from '../stamp-timestamp.js';
import { correctedTimestamp } from '../../segment/segment-to-envelopes.js';

const receivedAt = '2026-12-05T10:00:00.000Z';

describe('the one timestamp rule', () => {
  it('keeps a usable client time, fills an absent one, and never silently replaces an unusable one', () => {
    const cases: [unknown, string, string | undefined][] = [
      ['2026-12-05T09:59:58.123Z', '2026-12-05T09:59:58.123Z', undefined],
      [undefined, receivedAt, undefined],
      [1_733_392_800_000, receivedAt, '1733392800000'],
      [null, receivedAt, 'null'],
      ['+275760-09-13T00:00:00.000Z', receivedAt, '"+275760-09-13T00:00:00.000Z"'],
      ['yesterday', receivedAt, '"yesterday"'],
      [{ at: 1 }, receivedAt, '{"at":1}'],
    ];
    for (const [sent, timestamp, malformed] of cases) {
      const event: Record<string, unknown> = sent === undefined ? {} : { timestamp: sent };
      stampTimestamp(event, receivedAt);
      expect(event.timestamp).toBe(timestamp);
      expect((event.malformed as Record<string, unknown> | undefined)?.timestamp).toBe(malformed);
    }
  });

  it("Segment's skew correction cannot throw on a far-off sentAt or timestamp", () => {
    expect(correctedTimestamp('2026-12-05T09:59:59.000Z', '+275760-09-13T00:00:00.000Z', receivedAt)).toBe('2026-12-05T09:59:59.000Z');
    expect(correctedTimestamp('+275760-09-13T00:00:00.000Z', '2026-12-05T10:00:00.000Z', receivedAt)).toBe('+275760-09-13T00:00:00.000Z');
    expect(correctedTimestamp('2026-12-05T09:59:58.000Z', '2026-12-05T09:59:59.000Z', receivedAt)).toBe('2026-12-05T09:59:59.000Z');
  });
});
