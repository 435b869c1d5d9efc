import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('web/src/graphql/generated', () => {
  it('matches what codegen makes of schema.graphql and the operations (run `npm run codegen`)', async () => {
    const outputs = await generate({ ...config, cwd: ROOT, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect(fs.readFileSync(path.resolve(ROOT, output.filename), 'utf8'), output.filename).toBe(output.content);
    }
  }, 30_000);
});
