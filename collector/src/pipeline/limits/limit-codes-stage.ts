/**
 * Wraps the decode stage so the limits it enforces after the WAL are reported under the names
 * of the limits (`COLLECTOR_LIMIT_*`) in the failed zone, as on the acknowledgement path: a
 * compression bomb stopped by the codec's `maxOutputBytes`, and a batch with more events than
 * `eventsPerBatchMax` (possible for sealed frames, whose count is only known once opened).
 */
import type { Stage } from '../processor.js';

const RENAMED: Record<string, { code: string; limit: string }> = {
  SHARED_PAYLOAD_TOO_LARGE: { code: 'COLLECTOR_LIMIT_DECODED_BYTES', limit: 'limits.decodedBytesMax' },
  COLLECTOR_TOO_MANY_EVENTS: { code: 'COLLECTOR_LIMIT_EVENTS_PER_BATCH', limit: 'limits.eventsPerBatchMax' },
};

export function withLimitCodes(inner: Stage): Stage {
  return {
    name: inner.name,
    async run(batch) {
      try {
        await inner.run(batch);
      } catch (error) {
        const renamed = RENAMED[(error as { code?: string }).code ?? ''];
        if (!renamed) throw error;
        throw Object.assign(new Error(`${(error as Error).message} (${renamed.limit})`, { cause: error }), { code: renamed.code });
      }
    },
  };
}
