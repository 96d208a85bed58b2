// `k2p`: the command line. Thin: parse arguments, call the modules, print.
import { Command, CommanderError } from 'commander';
import { isK2pError } from '../errors.js';

type Register = (program: Command) => void;

/**
 * Which module defines which top-level commands. Only the module of the command being run is loaded, so a
 * short command such as `k2p status` does not pay for loading kafkajs, the Pulsar client, fastify and
 * BullMQ; help and unknown commands load them all.
 */
const MODULES: { commands: string[]; load: () => Promise<Register> }[] = [
  { commands: ['plan', 'apply', 'mirror'], load: () => import('./mirror.js').then((m) => m.registerMirrorCommands) },
  { commands: ['cutover', 'rollback', 'offsets'], load: () => import('./offsets.js').then((m) => m.registerOffsetsCommands) },
  { commands: ['verify'], load: () => import('./verify.js').then((m) => m.registerVerifyCommand) },
  { commands: ['run', 'runs'], load: () => import('./run.js').then((m) => m.registerRunCommands) },
  { commands: ['status'], load: () => import('./status.js').then((m) => m.registerStatusCommand) },
  { commands: ['serve'], load: () => import('./serve.js').then((m) => m.registerServeCommand) },
  { commands: ['facade'], load: () => import('./facade.js').then((m) => m.registerFacadeCommand) },
  { commands: ['pulsar'], load: () => import('./pulsar.js').then((m) => m.registerPulsarCommands) },
];

/** The program with every command (for help), or only the module of the command `argv` names. */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('k2p')
    .description('kafka-pulsar-gateway: move from Apache Kafka to Apache Pulsar without losing a record or a consumer position')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride(); // before adding commands: subcommands inherit it, so usage errors reach run()
  const named = MODULES.find((m) => argv[0] !== undefined && m.commands.includes(argv[0]));
  for (const register of await Promise.all((named ? [named] : MODULES).map((m) => m.load()))) register(program);
  return program;
}

/** Runs the CLI; resolves with the process exit code (0 ok, 1 runtime error, 2 usage error). */
export async function run(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
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
