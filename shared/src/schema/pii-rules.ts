/**
 * Reads the PII annotations of a catalog schema: `"x-pii": "hash" | "encrypt" | "drop"` on any
 * property. The collector applies them before an event reaches the lake or a sink; the SDK may
 * read them to warn a developer early. Paths follow JSON Schema `properties`; `*` stands for
 * every item of an array (`items`).
 */
export type PiiAction = 'hash' | 'encrypt' | 'drop';

export interface PiiRule {
  /** Field path inside the event, e.g. `['traits', 'email']` or `['properties', 'products', '*', 'name']`. */
  readonly path: readonly string[];
  readonly action: PiiAction;
}

const ACTIONS = new Set<string>(['hash', 'encrypt', 'drop']);
/** Schemas nest shallowly; the bound keeps a hostile custom schema from recursing forever. */
const PII_DEPTH_MAX = 32;

export function isPiiAction(value: unknown): value is PiiAction {
  return typeof value === 'string' && ACTIONS.has(value);
}

export function collectPiiRules(schema: unknown): PiiRule[] {
  const rules: PiiRule[] = [];
  const walk = (node: unknown, path: readonly string[]): void => {
    if (node === null || typeof node !== 'object' || path.length > PII_DEPTH_MAX) return;
    const record = node as Record<string, unknown>;
    const action = record['x-pii'];
    if (isPiiAction(action) && path.length > 0) {
      rules.push({ path, action });
      return; // the whole field is transformed; nothing inside it survives to annotate
    }
    const properties = record.properties;
    if (properties && typeof properties === 'object') {
      for (const [key, child] of Object.entries(properties as Record<string, unknown>)) walk(child, [...path, key]);
    }
    if (record.items && typeof record.items === 'object') walk(record.items, [...path, '*']);
  };
  walk(schema, []);
  return rules;
}
