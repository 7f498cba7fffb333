/**
 * Applies PII annotations before anything reaches the lake or a sink, in EVERY zone: `clean`,
 * `failed` and `raw` too. `raw` means "as received, minus personal data": the bytes exactly as
 * received exist only in the WAL, on the collector's own disk, deleted after `wal.retainMs`
 * (by default the dedupe window with the memory store).
 * Rules per event: `baseRules` (fields personal in any event: `context.ip`, traits' email and
 * phone) plus those of its schema (notes from the validate stage). One exception: a batch that
 * cannot be decoded at all is kept in `failed` as its body bytes, which cannot be scrubbed.
 */
import type { PiiRule } from '@shopstream/shared';
import { OK, type Stage } from '../chain/stage.js';
import type { EventNotes } from '../event-notes.js';
import { applyPii } from './apply-pii.js';
import type { FieldCipher } from './field-cipher.js';

/** Personal wherever they appear, with or without a schema. */
export const BASE_PII_RULES: readonly PiiRule[] = [
  { path: ['context', 'ip'], action: 'hash' },
  { path: ['context', 'traits', 'email'], action: 'hash' },
  { path: ['context', 'traits', 'phone'], action: 'hash' },
  { path: ['traits', 'email'], action: 'hash' },
  { path: ['traits', 'phone'], action: 'hash' },
];

const NO_CIPHER: FieldCipher = {
  pseudonym: () => {
    throw new Error('no PII keys: rules are turned into drops');
  },
  encrypt: () => {
    throw new Error('no PII keys: rules are turned into drops');
  },
  decrypt: () => {
    throw new Error('no PII keys configured');
  },
};

/**
 * Without key material (`cipher` undefined) every annotated field is dropped: personal data
 * never reaches the lake just because the operator has not configured keys yet.
 */
export function piiStage(cipher: FieldCipher | undefined, notes: EventNotes, baseRules: readonly PiiRule[] = BASE_PII_RULES): Stage {
  // Rule lists come from compiled schemas (one array per schema version), so merging is cached per list.
  const mergedCache = new WeakMap<readonly PiiRule[], PiiRule[]>();
  const merged = (schemaRules: readonly PiiRule[]): PiiRule[] => {
    const cached = mergedCache.get(schemaRules);
    if (cached) return cached;
    const byPath = new Map(baseRules.map((rule) => [rule.path.join('\0'), rule]));
    for (const rule of schemaRules) byPath.set(rule.path.join('\0'), rule); // the schema's choice wins
    const rules = [...byPath.values()];
    const out = cipher ? rules : rules.map((rule) => ({ ...rule, action: 'drop' as const }));
    mergedCache.set(schemaRules, out);
    return out;
  };
  return {
    name: 'pii',
    run(batch) {
      const done = new Map<unknown, unknown>();
      const scrub = <T>(item: T): T => {
        if (done.has(item)) return done.get(item) as T;
        const id = (item as { id?: unknown } | null)?.id;
        const out = applyPii(item, merged(notes.get(item as object)?.piiRules ?? []), cipher ?? NO_CIPHER, typeof id === 'string' ? id : '');
        done.set(item, out);
        return out;
      };
      batch.raw = batch.raw.map(scrub);
      batch.events = batch.events.map(scrub);
      for (const [i, rejection] of batch.rejected.entries()) batch.rejected[i] = { ...rejection, item: scrub(rejection.item) };
      return OK;
    },
  };
}
