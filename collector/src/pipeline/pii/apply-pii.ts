/**
 * Applies PII rules (`x-pii` annotations, see shared `collectPiiRules`) to one event and
 * returns a new event; the input is never mutated (the processor's zones share objects).
 * Only the objects on a rule's path are copied, so untouched parts stay shared.
 */
import type { PiiRule } from '@shopstream/shared';
import type { FieldCipher } from './field-cipher.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function applyPii<T>(event: T, rules: readonly PiiRule[], cipher: FieldCipher, eventId: string): T {
  if (rules.length === 0 || !isObject(event)) return event;
  let out: unknown = event;
  for (const rule of rules) out = applyAt(out, rule, 0, cipher, eventId, '');
  return out as T;
}

/** The encryption context (the IV's input) is `<eventId>/<path><#index per array>`, built only for `encrypt` rules. */
function applyAt(node: unknown, rule: PiiRule, depth: number, cipher: FieldCipher, eventId: string, indexes: string): unknown {
  const segment = rule.path[depth]!;
  const last = depth === rule.path.length - 1;
  if (segment === '*') {
    if (!Array.isArray(node)) return node;
    let changed = false;
    const items = node.map((item, i) => {
      const next = last ? transform(item, rule, cipher, eventId, `${indexes}#${i}`) : applyAt(item, rule, depth + 1, cipher, eventId, `${indexes}#${i}`);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? items : node;
  }
  if (!isObject(node) || !(segment in node)) return node;
  const copy: Json = { ...node };
  if (last) {
    if (rule.action === 'drop') delete copy[segment];
    else copy[segment] = transform(node[segment], rule, cipher, eventId, indexes);
  } else {
    const next = applyAt(node[segment], rule, depth + 1, cipher, eventId, indexes);
    if (next === node[segment]) return node;
    copy[segment] = next;
  }
  return copy;
}

/**
 * Tokens this stage made. A value that already is one is kept as it is: events re-ingested from
 * the lake (`backfill`, `redrive`) were scrubbed once, and hashing a token again would break joins.
 */
const PSEUDONYM = /^p1_[A-Za-z0-9_-]{43}$/;
const SEALED = /^e1\.[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/;

function transform(value: unknown, rule: PiiRule, cipher: FieldCipher, eventId: string, indexes: string): unknown {
  if (value === undefined || value === null) return value;
  switch (rule.action) {
    case 'hash':
      return typeof value === 'string' && PSEUDONYM.test(value) ? value : cipher.pseudonym(value);
    case 'encrypt':
      return typeof value === 'string' && SEALED.test(value) ? value : cipher.encrypt(value, `${eventId}/${rule.path.join('/')}${indexes}`);
    case 'drop':
      return undefined;
  }
}
