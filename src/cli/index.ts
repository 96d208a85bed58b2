// `k2p`: the command line. Thin: parse arguments, call the modules, print.
import { Command, CommanderError } from 'commander';
import { isK2pError } from '../errors.js';
import { registerFacadeCommand } from './facade.js';
import { registerMirrorCommands } from './mirror.js';
import { registerOffsetsCommands } from './offsets.js';
import { registerPulsarCommands } from './pulsar.js';
import { registerVerifyCommand } from './verify.js';
import { registerRunCommands } from './run.js';
import { registerServeCommand } from './serve.js';
import { registerStatusCommand } from './status.js';

export function buildProgram(): Command {
  const program = new Command('k2p')
    .description('kafka-pulsar-gateway: move from Apache Kafka to Apache Pulsar without losing a record or a consumer position')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride(); // before adding commands: subcommands inherit it, so usage errors reach run()
  registerFacadeCommand(program);
  registerMirrorCommands(program);
  registerPulsarCommands(program);
  registerVerifyCommand(program);
  registerOffsetsCommands(program);
  registerRunCommands(program);
  registerStatusCommand(program);
  registerServeCommand(program);
  return program;
}

/** Runs the CLI; resolves with the process exit code (0 ok, 1 runtime error, 2 usage error). */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (isK2pError(err)) {
      console.error(`k2p: ${err.message}`);
      return err.code.startsWith('K2P_CFG') ? 2 : 1;
    }
    console.error(`k2p: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}
