/**
 * Command-line flags, checked before anything starts: a mistyped flag (`--conifg x.yaml`) must
 * not start a collector on defaults with the well-known dev key. Each command declares its flags;
 * anything else that looks like a flag, or a positional argument too many, is one line and exit 2.
 */

export interface FlagSpec {
  /** `--config`; `-c` style aliases go in `aliases`. */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** Takes a value (`--config file` or `--config=file`); else a switch. */
  readonly value: boolean;
}

export type ParsedFlags =
  | { readonly status: 'success'; readonly flags: ReadonlyMap<string, string | true>; readonly positionals: readonly string[] }
  | { readonly status: 'failure'; readonly message: string };

/** Parses `args` against `specs`; `positionalsMax` bounds the plain arguments. */
export function parseFlags(args: readonly string[], specs: readonly FlagSpec[], positionalsMax: number): ParsedFlags {
  const byName = new Map<string, FlagSpec>();
  for (const spec of specs) for (const name of [spec.name, ...(spec.aliases ?? [])]) byName.set(name, spec);
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const given = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byName.get(given);
    if (!spec) return { status: 'failure', message: `unknown flag ${given} (known: ${specs.map((s) => s.name).join(', ') || 'none'})` };
    if (!spec.value) {
      if (eq > 0) return { status: 'failure', message: `${spec.name} takes no value` };
      flags.set(spec.name, true);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('-'))) return { status: 'failure', message: `${spec.name} needs a value` };
    flags.set(spec.name, value);
  }
  if (positionals.length > positionalsMax) return { status: 'failure', message: `unexpected argument ${JSON.stringify(positionals[positionalsMax])}` };
  return { status: 'success', flags, positionals };
}
