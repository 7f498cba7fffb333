/**
 * event-guard: refuses, one by one, decoded items that are too deep, too large or hold values JSON
 * cannot carry (./event-value-guard.ts), before any later stage copies, escapes or validates
 * them; the failed zone keeps a bounded sample of each (./refused-sample.ts); the rest goes on.
 */
import { OK, type Stage } from '../chain/stage.js';
import { checkEventValue, EVENT_DEPTH_MAX_DEFAULT, type EventValueLimits } from './event-value-guard.js';
import { refusedSample } from './refused-sample.js';
import { EVENT_BYTES_MAX_DEFAULT } from './event-bytes-stage.js';

/** Segment's 32 KB per event; the ingest config (`ingest.eventBytesMax`) may change it. */
export const EVENT_VALUE_LIMITS_DEFAULT: EventValueLimits = { depthMax: EVENT_DEPTH_MAX_DEFAULT, eventBytesMax: EVENT_BYTES_MAX_DEFAULT };

export function eventGuardStage(limits: EventValueLimits): Stage {
  return {
    name: 'event-guard',
    run(batch) {
      let kept: unknown[] | undefined;
      for (const [index, item] of batch.decoded.entries()) {
        const verdict = checkEventValue(item, limits);
        if (verdict.status === 'ok') {
          kept?.push(item);
          continue;
        }
        kept ??= batch.decoded.slice(0, index);
        batch.rejected.push({ item: refusedSample(item, verdict.bytesAtLeast), code: verdict.code, message: verdict.message, stage: 'event-guard' });
      }
      if (kept) batch.decoded = kept;
      return OK;
    },
  };
}
