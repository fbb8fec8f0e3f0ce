/**
 * A hash of everything whose change changes generated files for the same document and settings:
 * the generator's code (as built or as sources), the built-in templates, the runtime copied into
 * the output, and the versions of the packages that render and format. A development build,
 * `npm link` or a git install keeps the version number while all of these change.
 */
import { createHash, type Hash } from 'node:crypto';
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OWN_MANIFEST, versionIn } from '../version.js';
import { RUNTIME_DIR, TEMPLATES_DIR, isWithinFolder } from '../paths.js';

/** The document's YAML parser, and the packages that render and format. */
const RENDERING_PACKAGES = ['yaml', 'handlebars', 'prettier'];
const CODE_FILE = /\.(js|mjs|ts|hbs|json)$/;

let fingerprint: string | undefined;
let runningBundle: string | undefined;

/**
 * Says that this code runs from the CLI bundle whose source has this sha256: the bundle then
 * stands for the generator's code (it is the code that runs), instead of the modules in `dist/`,
 * which need not be hashed file by file on every run.
 */
export function runningFromBundle(sourceDigest: string): void {
  runningBundle = sourceDigest;
  fingerprint = undefined;
}

export function generatorFingerprint(): string {
  if (fingerprint === undefined) {
    const hash = createHash('sha256');
    const resolve = createRequire(OWN_MANIFEST).resolve;
    hash.update(`asyncapi-gen@${versionIn(OWN_MANIFEST) ?? 'unknown'}\n`);
    for (const name of RENDERING_PACKAGES) {
      let version: string | undefined;
      try {
        version = versionIn(resolve(`${name}/package.json`));
      } catch {
        version = undefined;
      }
      hash.update(`${name}@${version ?? 'unknown'}\n`);
    }
    // `dist/` or `src/`: the folder above this module's own; or the bundle that runs.
    const codeRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    if (runningBundle !== undefined) hash.update(`bundle ${runningBundle}\n`);
    const folders = [...(runningBundle === undefined ? [codeRoot] : []), TEMPLATES_DIR, ...(isWithinFolder(RUNTIME_DIR, codeRoot) ? [] : [RUNTIME_DIR])];
    for (const folder of folders) hashFolder(hash, folder, folder);
    fingerprint = hash.digest('hex');
  }
  return fingerprint;
}

function hashFolder(hash: Hash, root: string, folder: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      hashFolder(hash, root, full);
    } else if (entry.isFile() && CODE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      hash.update(`${path.relative(root, full)}\n`).update(readFileSync(full));
    }
  }
}
