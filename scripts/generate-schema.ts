// `npm run schema`: writes schema/rulebot.schema.json from the zod schemas of rule files (never edit it by hand).
import { mkdir, writeFile } from 'node:fs/promises';
import { formatJsonSchema } from '../src/rules/json-schema.js';

const target = 'schema/rulebot.schema.json';
await mkdir('schema', { recursive: true });
await writeFile(target, formatJsonSchema());
console.log(`schema: ${target} written`);
