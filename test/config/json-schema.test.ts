// The published JSON Schemas (schemas/*.json): up to date with src/config/json-schema.ts, usable by editors,
// and the repo's example files (raw, as an editor sees them) validate against the schema they name.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { SCHEMA_FILES, schemaFileText } from '../../src/config/write-schemas.js';

const ROOT = new URL('../../', import.meta.url).pathname;

function yamlFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

test('schemas/*.json are the published form of src/config/json-schema.ts (run src/config/write-schemas.ts)', () => {
  for (const [name, schema] of Object.entries(SCHEMA_FILES)) {
    assert.equal(
      readFileSync(join(ROOT, 'schemas', name), 'utf8'),
      schemaFileText(schema),
      `schemas/${name} is stale`,
    );
  }
});

test('every property in the schemas has a description; enums and booleans with a default say it', () => {
  const walk = (node: unknown, path: string) => {
    if (node === null || typeof node !== 'object') return;
    const props = (node as { properties?: Record<string, Record<string, unknown>> }).properties;
    for (const [key, prop] of Object.entries(props ?? {})) {
      if (key === 'kind') continue; // the `const` of each connector kind; the enum one is described
      assert.ok(
        typeof prop.description === 'string' || typeof prop.$ref === 'string',
        `${path}.${key} has no description`,
      );
    }
    for (const [key, child] of Object.entries(node)) walk(child, `${path}.${key}`);
  };
  for (const [name, schema] of Object.entries(SCHEMA_FILES)) walk(schema, name);
  const mapping = JSON.parse(readFileSync(join(ROOT, 'schemas/mappings.schema.json'), 'utf8'));
  const topic = mapping.definitions.topicMapping.properties;
  assert.equal(topic.route.default, 'kafka');
  assert.equal(topic.schema.default, 'bytes');
  assert.equal(topic.provenance.default, true);
  assert.equal(mapping.definitions.groupMapping.properties.type.default, 'Failover');
});

test('example files name their schema for yaml-language-server and validate against it as written', () => {
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  const files = [...yamlFiles('connectors'), ...yamlFiles('mappings')];
  assert.ok(files.length >= 4);
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const m = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
    assert.ok(m, `${file} has no yaml-language-server line`);
    const schemaPath = resolve(dirname(join(ROOT, file)), m[1]!);
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
    const validate = ajv.compile(schema);
    assert.ok(validate(parse(text)), `${file}: ${JSON.stringify(validate.errors)}`);
    ajv.removeSchema(schema);
  }
});

test('the published schema refuses a literal secret, as an editor would show it', () => {
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  const validate = ajv.compile(
    JSON.parse(readFileSync(join(ROOT, 'schemas/connectors.schema.json'), 'utf8')),
  );
  assert.ok(!validate({ connectors: { r: { kind: 'redis', url: 'redis://h:1', password: 'hunter2' } } }));
  assert.ok(
    validate({ connectors: { r: { kind: 'redis', url: 'redis://h:1', password: '${REDIS_PASSWORD}' } } }),
  );
});
