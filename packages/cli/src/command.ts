import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

/** One flag of a command, as `--help` shows it and `util.parseArgs` reads it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
  /** Placeholder shown in help, e.g. `<file>`. */
  valueName?: string;
  default?: string | boolean;
  multiple?: boolean;
}

/** A flag that takes a value, shown in help as `--name <valueName>` (with its default, if any). */
export function stringOption(valueName: string, description: string, defaultValue?: string): OptionSpec {
  return { type: 'string', valueName, description, ...(defaultValue !== undefined ? { default: defaultValue } : {}) };
}

export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
  /** The last positional only: takes all remaining arguments (one or more unless optional). */
  variadic?: boolean;
}

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface CommandContext {
  values: OptionValues;
  positionals: string[];
}

export interface Command {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  positionals?: PositionalSpec[];
  /** Returns the exit code (0 when omitted). */
  run(ctx: CommandContext): Promise<number | undefined> | number | undefined;
}

/** An error caused by the user's input: printed as one line, never as a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad flags or arguments: exit code 2, like most Unix tools. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

export function parseCommandArgs(command: Command, argv: string[]): CommandContext {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = { type: spec.type };
    if (spec.short) options[name].short = spec.short;
    if (spec.multiple) options[name].multiple = true;
  }
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    const unknown = /^Unknown option '(-{1,2})([^']*)'/.exec((err as Error).message);
    if (unknown) {
      const guess = didYouMean(unknown[2]!, Object.keys(command.options));
      throw new UsageError(
        `unknown flag ${unknown[1]}${unknown[2]}${guess ? ` (did you mean --${guess}?)` : ''}\nRun 'onnx-ddpm ${command.name} --help' for the flags.`,
      );
    }
    throw new UsageError(`${(err as Error).message}\nRun 'onnx-ddpm ${command.name} --help' for the flags.`);
  }
  const values: OptionValues = {};
  for (const [name, spec] of Object.entries(command.options)) {
    values[name] = parsed.values[name] ?? spec.default;
  }
  const variadic = command.positionals?.at(-1)?.variadic === true;
  const maxPositionals = variadic ? Number.POSITIVE_INFINITY : (command.positionals?.length ?? 0);
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(
      `unexpected argument '${parsed.positionals[maxPositionals]}'.\nRun 'onnx-ddpm ${command.name} --help' for usage.`,
    );
  }
  const required = (command.positionals ?? []).filter((p) => !p.optional).length;
  if (parsed.positionals.length < required) {
    const missing = command.positionals![parsed.positionals.length]!;
    throw new UsageError(`missing <${missing.name}>: ${missing.description}`);
  }
  return { values, positionals: parsed.positionals };
}

export function formatCommandHelp(command: Command): string {
  const positionals = (command.positionals ?? []).map((p) => `${p.optional ? `[${p.name}]` : `<${p.name}>`}${p.variadic ? '…' : ''}`);
  const lines = [`Usage: onnx-ddpm ${command.name} ${[...positionals, '[flags]'].join(' ')}`, '', command.summary, ''];
  if (command.positionals?.length) {
    lines.push('Arguments:');
    for (const p of command.positionals) lines.push(`  ${p.name.padEnd(24)} ${p.description}`);
    lines.push('');
  }
  lines.push('Flags:');
  const entries = Object.entries(command.options).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : '    ';
    const value = spec.type === 'string' ? ` ${spec.valueName ?? '<value>'}` : '';
    const dflt = spec.default !== undefined && spec.default !== false ? ` (default: ${String(spec.default)})` : '';
    return [`  ${short}--${name}${value}`, `${spec.description}${dflt}`] as const;
  });
  entries.push(['  -h, --help', 'show this help']);
  const width = Math.max(...entries.map(([flag]) => flag.length)) + 2;
  for (const [flag, text] of entries) lines.push(`${flag.padEnd(width)}${text}`);
  return lines.join('\n');
}

/** Typed accessors for parsed flag values, with errors that name the flag. */
export function stringFlag(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requiredString(values: OptionValues, name: string): string {
  const v = stringFlag(values, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** The bytes of the file a flag names; a file that cannot be read is a one-line error naming the flag and the reason. */
export async function readFlagFile(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new CliError(`cannot read --${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The upper end of a range as people read it: "2^k)" for a maximum of 2^k − 1, else "max]". */
function showBound(max: number): string {
  const k = Math.log2(max + 1);
  return Number.isInteger(k) && k >= 16 ? `2^${k})` : `${max}]`;
}

/** An integer flag written in decimal digits (no 1e3, no 0x10), in [min, max]. */
export function intFlag(values: OptionValues, name: string, min = 0, max?: number): number | undefined {
  const v = stringFlag(values, name);
  if (v === undefined) return undefined;
  const decimal = /^[+-]?\d+$/.test(v);
  const n = decimal ? Number(v) : Number.NaN;
  if (!(n >= min && n <= (max ?? Number.MAX_SAFE_INTEGER))) {
    const range = max === undefined ? `≥ ${min}` : `in [${min}, ${showBound(max)}`;
    throw new UsageError(`--${name} must be an integer ${range}, got '${v}'${decimal ? '' : ' (in decimal digits)'}`);
  }
  return n;
}

/** A number flag in decimal notation (2e-4 is fine, 0x10 and Infinity are not). */
export function numberFlag(values: OptionValues, name: string): number | undefined {
  const v = stringFlag(values, name);
  if (v === undefined) return undefined;
  const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${v}'`);
  return n;
}

/** Edit distance (insertions, deletions, substitutions) between a and b. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The candidate a mistyped `word` most likely meant (at most 2 edits, or a prefix of it), else undefined. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = name.startsWith(word) && word.length >= 2 ? 1 : editDistance(word, name);
    if (d <= Math.min(2, Math.floor(name.length / 2)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}
