import type { Storage, StoredBatch } from './storage.js';

/**
 * Batches in process memory: the default when no durable queue is configured. Nothing survives
 * a restart, so the client counts these bytes against `bufferedBytesMax` (`inMemory: true`).
 * A Map keeps insertion order, so peek is oldest-first and ack is O(1) per id.
 */
export function createMemoryStorage(): Storage {
  const batches = new Map<string, StoredBatch>();
  return {
    inMemory: true,
    async append(items) {
      for (const item of items) batches.set(item.id, item);
    },
    async peek(countMax) {
      const out: StoredBatch[] = [];
      for (const batch of batches.values()) {
        if (out.length >= countMax) break;
        out.push(batch);
      }
      return out;
    },
    queuedEvents() {
      let events = 0;
      for (const batch of batches.values()) events += batch.events.length;
      return events;
    },
    async ack(ids) {
      for (const id of ids) batches.delete(id);
    },
  };
}
