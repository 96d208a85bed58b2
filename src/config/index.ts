// Configuration: connector and mapping files → a validated, frozen GatewayConfig. See docs/config.md.
export { loadConfig } from './load.js';
export type { Env } from './interpolate.js';
export {
  isInternalTopic,
  matchesGroup,
  matchesTopic,
  parseMatcher,
  resolveGroup,
  resolveTopic,
  subscriptionName,
  targetTopic,
} from './match.js';
export { CONFIG_REDACT_PATHS, REDACTED, configSecrets, isSecretPath, redactSecrets, redactUrl } from './secrets.js';
export { connectorsFileSchema, mappingsFileSchema } from './json-schema.js';
export { formatProblem, type ConfigProblem } from './problems.js';
export type {
  Connector,
  ConnectorKind,
  GatewayConfig,
  GroupMapping,
  KafkaConnector,
  KafkaSsl,
  MappingFile,
  NameMatcher,
  PulsarConnector,
  RedisConnector,
  RegistryConnector,
  TopicMapping,
} from './types.js';
