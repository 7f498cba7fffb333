/**
 * Which registered schema version an event is checked against. The rule, shared by the SDK's
 * typed helpers and the collector's registry so both sides agree:
 *
 * 1. No version requested → the highest registered version.
 * 2. The requested version is registered → that version.
 * 3. Otherwise the highest registered version with the same major that is ≥ the requested one:
 *    minors only add optional fields, so a newer minor accepts every event an older one did.
 * 4. Otherwise the highest registered version with the same major below the requested one: a
 *    client on a newer minor than the collector knows still gets every field the collector knows
 *    checked (catalog schemas allow extra properties, which is all a newer minor adds).
 * 5. No version of that major → `undefined`: the caller reports an unknown schema version.
 */
import { compareSemver, parseSemver, type Semver } from './semver.js';

export function resolveSchemaVersion(registered: readonly string[], requested?: string): string | undefined {
  const parsed = registered
    .map((text) => ({ text, version: parseSemver(text) }))
    .filter((entry): entry is { text: string; version: Semver } => entry.version !== undefined)
    .sort((a, b) => compareSemver(b.version, a.version)); // highest first
  if (requested === undefined) return parsed[0]?.text;
  const wanted = parseSemver(requested);
  if (!wanted) return undefined;
  const sameMajor = parsed.filter((entry) => entry.version.major === wanted.major);
  const exact = sameMajor.find((entry) => compareSemver(entry.version, wanted) === 0);
  if (exact) return exact.text;
  const newer = sameMajor.find((entry) => compareSemver(entry.version, wanted) > 0);
  return (newer ?? sameMajor[0])?.text;
}
