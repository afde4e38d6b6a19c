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

export function intFlag(values: OptionValues, name: string, min = Number.MIN_SAFE_INTEGER): number | undefined {
  const v = stringFlag(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

export function numberFlag(values: OptionValues, name: string): number | undefined {
  const v = stringFlag(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${v}'`);
  return n;
}
