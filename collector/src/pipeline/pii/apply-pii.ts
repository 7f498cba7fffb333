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
  for (const rule of rules) out = applyAt(out, rule, 0, cipher, `${eventId}/${rule.path.join('/')}`);
  return out as T;
}

function applyAt(node: unknown, rule: PiiRule, depth: number, cipher: FieldCipher, context: string): unknown {
  const segment = rule.path[depth]!;
  const last = depth === rule.path.length - 1;
  if (segment === '*') {
    if (!Array.isArray(node)) return node;
    let changed = false;
    const items = node.map((item, i) => {
      const next = last ? transform(item, rule, cipher, `${context}#${i}`) : applyAt(item, rule, depth + 1, cipher, `${context}#${i}`);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? items : node;
  }
  if (!isObject(node) || !(segment in node)) return node;
  const copy: Json = { ...node };
  if (last) {
    if (rule.action === 'drop') delete copy[segment];
    else copy[segment] = transform(node[segment], rule, cipher, context);
  } else {
    const next = applyAt(node[segment], rule, depth + 1, cipher, context);
    if (next === node[segment]) return node;
    copy[segment] = next;
  }
  return copy;
}

function transform(value: unknown, rule: PiiRule, cipher: FieldCipher, context: string): unknown {
  if (value === undefined || value === null) return value;
  switch (rule.action) {
    case 'hash':
      return cipher.pseudonym(value);
    case 'encrypt':
      return cipher.encrypt(value, context);
    case 'drop':
      return undefined;
  }
}
