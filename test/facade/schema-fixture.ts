// Facades over the real stack for the schema-format tests: config files with the stack's Schema Registry and
// topic mappings on one route (`schema: registry` topics, and plain `schema: bytes` ones), the app, and the
// schemas the tests use.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type GatewayConfig } from '../../src/config/index.js';
import type { Route } from '../../src/facade/route-table.js';
import { buildFacadeApp } from '../../src/facade/server.js';
import { facadeCore } from '../../src/facade/start.js';
import { STACK, cleanup } from '../helpers/stack.js';

export const AVRO = 'application/vnd.kafka.avro.v2+json';
export const JSONSCHEMA = 'application/vnd.kafka.jsonschema.v2+json';
export const PROTOBUF = 'application/vnd.kafka.protobuf.v2+json';

export const ORDER_AVSC = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'k2p.facade',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'item', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});
export const ORDER_JSON_SCHEMA = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order',
  type: 'object',
  properties: { id: { type: 'integer' }, item: { type: 'string' } },
  required: ['id', 'item'],
  additionalProperties: false,
});
export const ORDER_PROTO = 'syntax = "proto3";\npackage k2p.facade;\nmessage Order {\n  int64 id = 1;\n  string item = 2;\n  Kind kind = 3;\n}\nenum Kind { PLAIN = 0; RUSH = 1; }\n';

/** Config for topics on one route: `schema: registry` ones and `schema: bytes` ones, with the stack's registry. */
export function schemaConfig(topicNames: string[], route: Route, bytesTopics: string[] = [], registryUrl: string = STACK.registryUrl): GatewayConfig {
  const dir = mkdtempSync(join(tmpdir(), 'k2p-facade-schema-'));
  writeFileSync(
    join(dir, 'k2p.yaml'),
    [
      'connectors:',
      `  kafka-local: { kind: kafka, brokers: ["${STACK.kafkaBrokers[0]}"] }`,
      `  pulsar-local: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }`,
      `  registry-local: { kind: schema-registry, url: "${registryUrl}" }`,
      'source: kafka-local',
      'target: pulsar-local',
      'registry: registry-local',
      'topics:',
      ...topicNames.map((t) => `  - { match: ${t}, to: "persistent://public/default/{topic}-p", route: ${route}, schema: registry }`),
      ...bytesTopics.map((t) => `  - { match: ${t}, to: "persistent://public/default/{topic}-p", route: ${route} }`),
      '',
    ].join('\n'),
  );
  return loadConfig([join(dir, 'k2p.yaml')]);
}

export function schemaFacade(config: GatewayConfig): ReturnType<typeof buildFacadeApp> {
  const core = facadeCore(config, { flipTimeoutMs: 60_000 });
  const app = buildFacadeApp(core);
  cleanup(async () => {
    await app.close();
    await core.close();
  });
  return app;
}
