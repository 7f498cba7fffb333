/**
 * Processing in the delivery thread holds each WAL record's decoded body (up to
 * limits.decodedBytesMax) while it runs; with one loop per sink, several run at once. This
 * wrapper reserves that much from the thread's decoded-bytes budget around each processing, so
 * the sum stays under limits.decodedBytesInFlightMax whatever the sinks, and a loop past it
 * waits its turn instead of growing memory. The reservation is the bound, not the body's size:
 * a 29 KB lz4 frame may open to the full limit.
 */
import type { Processor } from '../pipeline/processor.js';
import type { DecodedBytesBudget } from '../pipeline/limits/decoded-bytes-budget.js';

export function withDecodedBytesBudget(processor: Processor, budget: DecodedBytesBudget, decodedBytesMax: number): Processor {
  return {
    async process(record) {
      const release = await budget.take(Math.min(decodedBytesMax, budget.bytesMax));
      try {
        return await processor.process(record);
      } finally {
        release();
      }
    },
  };
}
