/** `npm run schema`: writes the printed SDL that the SPA's typed operations are generated from. */
import fs from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from './index.js';

export const SCHEMA_FILE = new URL('./schema.graphql', import.meta.url);

export function printedSchema(): string {
  return printSchema(schema) + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  fs.writeFileSync(SCHEMA_FILE, printedSchema());
  console.log(`wrote ${SCHEMA_FILE.pathname}`);
}
