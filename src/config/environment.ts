/** Environment variables, read once at start into a frozen object. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the process takes from its environment. */
export interface Environment {
  /** Folder of the code tree, which holds the shipped `config/global.ini.php`. */
  readonly codeRoot: string;
  /** Folder of the operator files (`config/`, `misc/user/`, `tmp/`): `FOOTFALL_ROOT`, else the code tree. */
  readonly root: string;
  /** Log level override from `FOOTFALL_LOG_LEVEL`, or null to use `[log] log_level`. */
  readonly logLevel: string | null;
}

function findCodeRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('Cannot find the code tree: no package.json above ' + fileURLToPath(import.meta.url));
    folder = parent;
  }
  return folder;
}

/** Reads the environment; call once, at start. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const codeRoot = findCodeRoot();
  const root = env.FOOTFALL_ROOT ? resolve(env.FOOTFALL_ROOT) : codeRoot;
  return Object.freeze({ codeRoot, root, logLevel: env.FOOTFALL_LOG_LEVEL || null });
}
