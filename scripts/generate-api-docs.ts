/** Writes `docs/api.md` from the method registry; run by `npm run docs:api`. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderApiDocs } from '../src/api/api-docs.js';
import { buildApiMethodRegistry } from '../src/api/modules/index.js';
import { readEnvironment } from '../src/config/environment.js';

const target = resolve(readEnvironment({}).codeRoot, 'docs', 'api.md');
writeFileSync(target, renderApiDocs(buildApiMethodRegistry()));
process.stderr.write(`wrote ${target}\n`);
