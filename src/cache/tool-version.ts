/**
 * The versions of everything whose code shapes a load's result: this tool and the parser packages
 * it runs. Read from package.json files rather than imported from `generate/`, which would pull
 * the whole generator (and an import cycle) into the load stage.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OWN_MANIFEST, versionIn } from '../version.js';

/** A parser upgrade inside the same semver range changes results without changing our version. */
const PARSER_PACKAGES = ['@asyncapi/parser', '@asyncapi/avro-schema-parser', '@asyncapi/openapi-schema-parser'];

let toolVersions: string | undefined;

/** For example `asyncapi-gen@0.1.0 @asyncapi/parser@3.6.6 ...`. */
export function toolVersion(): string {
  if (toolVersions === undefined) {
    const resolve = createRequire(OWN_MANIFEST).resolve;
    const dependencies = PARSER_PACKAGES.map((name) => {
      let manifest: string | undefined;
      try {
        manifest = resolve(`${name}/package.json`);
      } catch {
        manifest = undefined;
      }
      return `${name}@${(manifest === undefined ? undefined : versionIn(manifest)) ?? 'unknown'}`;
    });
    toolVersions = [`asyncapi-gen@${versionIn(OWN_MANIFEST) ?? 'unknown'}+${loaderCodeHash()}`, ...dependencies].join(' ');
  }
  return toolVersions;
}

/**
 * A hash of the code that produces a cached load (this folder and `load/`,
 * as built or as sources): a development build, `npm link` or a git install
 * keeps the version number while the loader changes.
 */
function loaderCodeHash(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256');
  for (const folder of [here, path.join(here, '..', 'load')]) {
    let names: string[];
    try {
      names = readdirSync(folder).filter((name) => /\.(js|ts)$/.test(name)).sort();
    } catch {
      continue;
    }
    for (const name of names) hash.update(name).update(readFileSync(path.join(folder, name)));
  }
  return hash.digest('hex').slice(0, 16);
}
