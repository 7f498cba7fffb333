/**
 * The schema registry: every catalog and custom JSON Schema compiled once by ajv, looked up by
 * event name and semver. Which version checks an event (rule in shared `resolveSchemaVersion`):
 * the exact version the event names in `schema.version` when registered; else the highest
 * registered version of the same major ≥ the one named (minors only add optional fields); else
 * the highest of that major; an event without `schema` is checked against the latest version of
 * its `type`. Names not in the registry pass unchecked as custom events, unless `strict`.
 *
 * A registry is immutable: reloading builds a new one and swaps it in (./reloadable-registry.ts),
 * so a request never sees a half-loaded set.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { collectPiiRules, resolveSchemaVersion, schemaEventAnnotation, type PiiRule, type SchemaRef } from '@shopstream/shared';
import type { SchemaDocument } from './load-schema-folder.js';

export type SchemaErrorCode = 'COLLECTOR_SCHEMA_INVALID' | 'COLLECTOR_SCHEMA_UNKNOWN_EVENT' | 'COLLECTOR_SCHEMA_UNKNOWN_VERSION';

export type SchemaCheck =
  /** `schema` is absent for a custom event that passed unchecked. */
  | { readonly status: 'valid'; readonly schema?: SchemaRef; readonly piiRules: readonly PiiRule[] }
  /** `piiRules` of the schema the event claimed, so a refused event is scrubbed before the failed zone too. */
  | { readonly status: 'invalid'; readonly code: SchemaErrorCode; readonly reason: string; readonly schema?: SchemaRef; readonly piiRules: readonly PiiRule[] };

export interface SchemaRegistryOptions {
  /** Refuse events whose name has no schema instead of passing them as custom events. */
  readonly strict?: boolean;
  /** ajv error text is cut here: the reason lands in the failed zone and in sync answers. */
  readonly reasonCharsMax?: number;
}

export interface SchemaRegistry {
  check(event: unknown): SchemaCheck;
  /** Registered versions of an event name, highest first is not promised. */
  versions(name: string): readonly string[];
  /** Every `name@version`, for the admin answer and logs. */
  readonly schemaIds: readonly string[];
}

interface Compiled {
  /** Stops at the first error: the hot path, where nearly every event is valid. */
  readonly check: ValidateFunction;
  /** Collects every error: run only for an invalid event, to say everything wrong with it. */
  readonly explain: ValidateFunction;
  readonly piiRules: readonly PiiRule[];
}

const REASON_CHARS_MAX = 1000;

/** Compiles every document; throws with the file name when one is malformed, so a bad deploy fails loudly. */
export function buildSchemaRegistry(documents: readonly SchemaDocument[], options: SchemaRegistryOptions = {}): SchemaRegistry {
  // Unknown keywords fail (a typo like "requird" would silently check nothing); the stricter
  // type/required checks are off because hand-written schemas legitimately omit them. Each schema
  // is compiled twice: first-error-only for the check, all-errors to explain a refusal.
  const makeAjv = (allErrors: boolean) => {
    const ajv = new Ajv({ allErrors, strictSchema: true, strictNumbers: true, strictTypes: false, strictTuples: false, strictRequired: false });
    addFormats(ajv);
    ajv.addKeyword({ keyword: 'x-pii', schemaType: 'string' });
    ajv.addKeyword({ keyword: 'x-event', schemaType: 'object' });
    return ajv;
  };
  const fast = makeAjv(false);
  const thorough = makeAjv(true);
  const byName = new Map<string, Map<string, Compiled>>();
  for (const { origin, schema } of documents) {
    const annotation = schemaEventAnnotation(schema);
    if (!annotation) throw new Error(`schema ${origin} lacks a valid "x-event": { "name", "version": "MAJOR.MINOR.PATCH" } annotation`);
    let check: ValidateFunction;
    let explain: ValidateFunction;
    try {
      // `$id` is dropped because a custom schema may replace a catalog one of the same name and
      // version (later documents win) and ajv refuses two schemas with one id; `#/…` refs still resolve.
      const withoutId = { ...(schema as Record<string, unknown>) };
      delete withoutId.$id;
      check = fast.compile(withoutId);
      explain = thorough.compile(withoutId);
    } catch (error) {
      throw new Error(`schema ${origin} does not compile: ${(error as Error).message}`);
    }
    const versions = byName.get(annotation.name) ?? new Map<string, Compiled>();
    versions.set(annotation.version, { check, explain, piiRules: collectPiiRules(schema) });
    byName.set(annotation.name, versions);
  }
  const reasonCharsMax = options.reasonCharsMax ?? REASON_CHARS_MAX;
  const versionLists = new Map([...byName].map(([name, versions]) => [name, [...versions.keys()]]));

  return {
    schemaIds: [...versionLists].flatMap(([name, versions]) => versions.map((version) => `${name}@${version}`)),
    versions: (name) => versionLists.get(name) ?? [],
    check(event) {
      if (event === null || typeof event !== 'object' || Array.isArray(event)) {
        return { status: 'invalid', code: 'COLLECTOR_SCHEMA_INVALID', reason: 'event is not a JSON object', piiRules: [] };
      }
      const { type, schema } = event as { type?: unknown; schema?: unknown };
      const ref = schema !== null && typeof schema === 'object' ? (schema as Partial<SchemaRef>) : undefined;
      const name = typeof ref?.name === 'string' ? ref.name : typeof type === 'string' ? type : undefined;
      if (name === undefined) return { status: 'invalid', code: 'COLLECTOR_SCHEMA_INVALID', reason: 'event has no string "type" to pick a schema by', piiRules: [] };
      const versions = byName.get(name);
      if (!versions) {
        if (options.strict) return { status: 'invalid', code: 'COLLECTOR_SCHEMA_UNKNOWN_EVENT', reason: `no schema is registered for event "${name}" and the registry is strict`, piiRules: [] };
        return { status: 'valid', piiRules: [] };
      }
      const requested = typeof ref?.version === 'string' ? ref.version : undefined;
      const version = resolveSchemaVersion(versionLists.get(name) ?? [], requested);
      const compiled = version === undefined ? undefined : versions.get(version);
      if (!compiled || version === undefined) {
        const latest = versions.get(resolveSchemaVersion(versionLists.get(name) ?? []) ?? '');
        return {
          status: 'invalid',
          code: 'COLLECTOR_SCHEMA_UNKNOWN_VERSION',
          reason: `event "${name}" names schema version ${requested}, but only ${[...versions.keys()].join(', ')} are registered`,
          piiRules: latest?.piiRules ?? [],
        };
      }
      const resolved: SchemaRef = { name, version };
      if (compiled.check(event)) return { status: 'valid', schema: resolved, piiRules: compiled.piiRules };
      compiled.explain(event);
      const reason = ajvText(compiled.explain, name, version).slice(0, reasonCharsMax);
      return { status: 'invalid', code: 'COLLECTOR_SCHEMA_INVALID', reason, schema: resolved, piiRules: compiled.piiRules };
    },
  };
}

function ajvText(validate: ValidateFunction, name: string, version: string): string {
  const details = (validate.errors ?? []).map((error) => {
    const where = error.instancePath === '' ? 'event' : `event${error.instancePath}`;
    const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
    return `${where} ${error.message ?? 'is invalid'}${extra}`;
  });
  return `does not match schema "${name}"@${version}: ${details.join('; ')}`;
}
