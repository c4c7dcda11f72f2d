/**
 * Argument parsing shared by every `oel` command: node's `parseArgs` in strict mode, so an unknown option is an error
 * (never silently ignored) and an option missing its value never takes the next word as that value
 * (`--model --port 0` is refused instead of reading a model named `--port`). `--help`/`-h` is known everywhere.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Options of one command, in `parseArgs` form (`help` is added). */
export type Options = NonNullable<ParseArgsConfig['options']>;

/** Values of parsed options: strings, booleans, or lists for `multiple` options. */
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The outcome of {@link parseCommand}. */
export type Parsed =
  | { kind: 'ok'; values: Values; positionals: string[] }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

/** Parses `args` against `options` (strict). Asking for help wins over any other problem on the line. */
export function parseCommand(args: string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
    if (values.help) return { kind: 'help' };
    return { kind: 'ok', values: values as Values, positionals };
  } catch (e) {
    const end = args.indexOf('--');
    if ((end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h')) return { kind: 'help' };
    // node's messages span lines; one line reads better after the command's name.
    return { kind: 'error', message: (e as Error).message.replace(/\s*\n\s*/g, ' ') };
  }
}

/** A string option's value, or undefined. */
export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable string option's values (empty when absent). */
export function list(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

/** A non-negative integer option, undefined when absent, or a message when it is not one. */
export function nonNegativeInt(values: Values, name: string): number | undefined | { error: string } {
  const v = str(values, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) return { error: `--${name} must be a non-negative integer, not '${v}'` };
  return Number(v);
}
