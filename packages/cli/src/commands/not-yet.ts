import { type Command, CliError } from '../command.js';

/**
 * A command whose implementation has not landed yet: it is listed in the help so the CLI's
 * shape is visible, and running it says so plainly with a non-zero exit.
 */
export function notYetCommand(name: string, summary: string, arrivesWith: string): Command {
  return {
    name,
    summary: `${summary} (not available yet)`,
    options: {},
    run() {
      throw new CliError(`'${name}' is not available in this version yet; it arrives with ${arrivesWith}.`, 3);
    },
  };
}
