// What the local stack knows about one service. Each service lives in stack/services/<name>.ts and exports
// one StackService; stack/cli.ts drives them (up | status | logs | down | reset).

export interface StackContext {
  /** Repository root. */
  readonly root: string;
  /** Git-ignored folder for everything a service writes: <root>/.stack (or $K2P_STACK_DIR). */
  readonly stackDir: string;
  /** This service's own folder under stackDir (data, config, lib). Created before install(). */
  readonly serviceDir: string;
  /** The file a service's process writes stdout and stderr to. */
  readonly logFile: string;
  /** Chosen options, e.g. kafkaVersion. */
  readonly options: Readonly<StackOptions>;
  /** Progress line for humans. */
  log(message: string): void;
}

export interface StackOptions {
  kafkaVersion: string;
  kafkaPort: number;
  pulsarPort: number;
  pulsarAdminPort: number;
  registryPort: number;
  redisPort: number;
  /** pulsar-secure (TLS + token authentication): plain binary port, still behind token authentication. */
  pulsarSecurePort: number;
  /** pulsar-secure's pulsar+ssl:// port. */
  pulsarSecureTlsPort: number;
  /** pulsar-secure's admin REST (HTTP, token authentication). */
  pulsarSecureAdminPort: number;
  /** pulsar-secure's bookie (the first standalone's is 3181). */
  pulsarSecureBookiePort: number;
  /** kafka-secure (SASL_SSL, SCRAM): client port; its controller listens on the next one. */
  kafkaSecurePort: number;
}

/** How to start a service: one long-running process, detached, its output appended to ctx.logFile. */
export interface LaunchSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface StackService {
  readonly name: string;
  /** The port that tells whether something already listens there. */
  port(options: StackOptions): number;
  /** Idempotent: fetch what is missing (jars through Maven into ~/.m2, Debian packages, venvs) and write config. */
  install(ctx: StackContext): Promise<void>;
  /** Prepare data dirs etc. just before launch (e.g. format Kafka's log dir once). */
  prepare?(ctx: StackContext): Promise<void>;
  launch(ctx: StackContext): Promise<LaunchSpec>;
  /** A real round trip (produce and read back, register and read back). Throws until the service works. */
  probe(ctx: StackContext): Promise<void>;
  /** Seconds to wait for probe() to pass after launch. */
  readonly startTimeoutSeconds: number;
}
