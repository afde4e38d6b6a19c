import { createRequire } from 'node:module';
import { type Command, CliError, didYouMean, formatCommandHelp, parseCommandArgs } from './command.js';
import { commands } from './commands/index.js';

/** The version in this package's package.json (one directory above src/ and dist/). */
const VERSION: string = createRequire(import.meta.url)('../package.json').version;

function formatTopHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: onnx-ddpm <command> [flags]',
    '',
    'Train a DDPM with TensorFlow.js, export ONNX, sample with ONNX Runtime.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'onnx-ddpm <command> --help' for a command's flags.",
  ].join('\n');
}

function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}

/** Runs one CLI invocation and returns its exit code; user errors print one line on stderr. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${formatTopHelp()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write(`onnx-ddpm ${VERSION}\n`);
    return 0;
  }
  const command = findCommand(name);
  if (!command) {
    const guess = didYouMean(name, commands.map((c) => c.name));
    if (guess) {
      process.stderr.write(`onnx-ddpm: unknown command '${name}'; did you mean '${guess}'?\n`);
      return 2;
    }
    process.stderr.write(`onnx-ddpm: unknown command '${name}'\n\n${formatTopHelp()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${formatCommandHelp(command)}\n`);
    return 0;
  }
  try {
    const ctx = parseCommandArgs(command, rest);
    return (await command.run(ctx)) ?? 0;
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`onnx-ddpm ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
