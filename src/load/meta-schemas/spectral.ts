/**
 * Where Spectral's schema validation lives: the copy of `@stoplight/spectral-functions` that
 * `@asyncapi/parser` itself loads, its `require` (so `ajv` and `ajv-formats` are Spectral's own
 * copies), and the versions that decide what a compiled validator does.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { versionIn } from '../../version.js';

export interface SpectralLocation {
  /** `require` as seen from spectral-functions' own entry. */
  readonly require: NodeJS.Require;
  /** Spectral's `dist/schema/ajv.js` module file. */
  readonly ajvFactoryFile: string;
  /** `spectral-functions@x ajv@y ajv-formats@z ajv-errors@w`: precompiled validators are used only under the same. */
  readonly versions: string;
}

let located: SpectralLocation | undefined;

/** Throws when the packages are not where @asyncapi/parser 3 has them. */
export function locateSpectral(): SpectralLocation {
  if (located === undefined) {
    const fromParser = createRequire(createRequire(import.meta.url).resolve('@asyncapi/parser'));
    const functionsEntry = fromParser.resolve('@stoplight/spectral-functions');
    const fromFunctions = createRequire(functionsEntry);
    const packageFolder = path.dirname(path.dirname(functionsEntry));
    const versionOf = (name: string): string => `${name}@${versionIn(fromFunctions.resolve(`${name}/package.json`)) ?? 'unknown'}`;
    located = {
      require: fromFunctions,
      ajvFactoryFile: path.join(path.dirname(functionsEntry), 'schema', 'ajv.js'),
      versions: [`@stoplight/spectral-functions@${versionIn(path.join(packageFolder, 'package.json')) ?? 'unknown'}`, versionOf('ajv'), versionOf('ajv-formats'), versionOf('ajv-errors')].join(' '),
    };
  }
  return located;
}
