export { runCli, findCommand } from './cli.js';
export { writeFileAtomic } from './output.js';
export type { Command, OptionSpec } from './command.js';
