export { runCli } from './cli.js';
export type { Command, OptionSpec } from './command.js';
