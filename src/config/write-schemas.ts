// Publishes the JSON Schemas for editors: `npx tsx src/config/write-schemas.ts` writes schemas/*.json.
import { writeFileSync } from 'node:fs';
import { connectorsFileSchema, mappingsFileSchema } from './json-schema.js';

export const SCHEMA_FILES = {
  'connectors.schema.json': connectorsFileSchema,
  'mappings.schema.json': mappingsFileSchema,
} as const;

export function schemaFileText(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, schema] of Object.entries(SCHEMA_FILES)) {
    writeFileSync(new URL(`../../schemas/${name}`, import.meta.url), schemaFileText(schema));
    console.log(`wrote schemas/${name}`);
  }
}
