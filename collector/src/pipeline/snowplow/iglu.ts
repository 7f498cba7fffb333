/**
 * Iglu, Snowplow's schema addressing, mapped onto the schema registry (../schema/registry.ts).
 *
 * - A URI `iglu:com.acme/checkout_step/jsonschema/1-0-2` names the registry schema
 *   `com.acme/checkout_step` at version `1.0.2`: SchemaVer MODEL-REVISION-ADDITION becomes semver
 *   MAJOR.MINOR.PATCH one to one, so the registry's version rule (same major, highest ≥ asked)
 *   reads "same MODEL", as Snowplow's own resolution does.
 * - An Iglu self-describing JSON Schema (with `self: {vendor, name, format, version}`) dropped into
 *   `ingest.schemas.customDir` is wrapped into a registry schema for the envelope: the event's
 *   `properties` (where a self-describing event's `data` lands) must match it.
 *   Spec: https://docs.snowplow.io/docs/api-reference/iglu/common-architecture/self-describing-json-schemas/
 */

export interface IgluRef {
  readonly vendor: string;
  readonly name: string;
  /** Registry name: `vendor/name`. */
  readonly registryName: string;
  /** Semver form of the SchemaVer. */
  readonly version: string;
}

// Vendor and name as Iglu allows them (reverse domain, letters, digits, _ . -); SchemaVer of three integers.
const IGLU_URI = /^iglu:([A-Za-z0-9_.-]{1,128})\/([A-Za-z0-9_.-]{1,128})\/jsonschema\/([0-9]{1,6})-([0-9]{1,6})-([0-9]{1,6})$/;
const SCHEMA_VER = /^([0-9]{1,6})-([0-9]{1,6})-([0-9]{1,6})$/;

/** `iglu:vendor/name/jsonschema/M-R-A` → its parts; undefined for anything else. */
export function parseIgluUri(uri: unknown): IgluRef | undefined {
  if (typeof uri !== 'string') return undefined;
  const match = IGLU_URI.exec(uri);
  if (!match) return undefined;
  const [, vendor, name, model, revision, addition] = match as unknown as [string, string, string, string, string, string];
  return { vendor, name, registryName: `${vendor}/${name}`, version: `${Number(model)}.${Number(revision)}.${Number(addition)}` };
}

/** `1-0-2` → `1.0.2`; undefined when it is no SchemaVer. */
export function schemaVerToSemver(schemaVer: unknown): string | undefined {
  if (typeof schemaVer !== 'string') return undefined;
  const match = SCHEMA_VER.exec(schemaVer);
  return match ? `${Number(match[1])}.${Number(match[2])}.${Number(match[3])}` : undefined;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * An Iglu self-describing schema → a registry schema (with `x-event`) that checks the envelope's
 * `properties` against it; any other document is returned unchanged. `$schema` (Iglu's
 * meta-schema URL, unknown to ajv) and `self` are dropped from the copy that is compiled.
 * Throws when `self` is there but malformed: a schema file the operator meant to register.
 */
export function fromIgluSchema(document: unknown, origin: string): unknown {
  if (!isObject(document) || !isObject(document.self)) return document;
  const { vendor, name, format, version } = document.self;
  const semver = schemaVerToSemver(version);
  if (typeof vendor !== 'string' || typeof name !== 'string' || format !== 'jsonschema' || semver === undefined) {
    throw new Error(`schema ${origin} has an Iglu "self" that is not {vendor, name, format: "jsonschema", version: "M-R-A"}`);
  }
  const { $schema: _metaSchema, self: _self, ...body } = document;
  return {
    title: `${vendor}/${name}`,
    description: typeof document.description === 'string' ? document.description : `Iglu schema iglu:${vendor}/${name}/jsonschema/${version}`,
    'x-event': { name: `${vendor}/${name}`, version: semver },
    type: 'object',
    required: ['properties'],
    properties: { properties: body },
  };
}
