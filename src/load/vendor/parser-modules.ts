/**
 * Where @asyncapi/parser comes from: the bundle made at build time (`scripts/bundle-parser.mjs`,
 * loaded with V8's code cache), or, without it, the installed packages. Both are the same code;
 * the bundle loads in a fraction of the time of the ~900 modules it holds. The Spectral modules
 * asyncapi-gen adjusts are taken from the same source as the parser, so they are the very
 * objects it uses. `ASYNCAPI_GEN_BUNDLED_PARSER=0` uses the installed packages.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import type { OpenAPISchemaParser } from '@asyncapi/openapi-schema-parser';
import type { Parser } from '@asyncapi/parser';
import { VENDOR_DIR } from '../../paths.js';
import { versionIn } from '../../version.js';
import { runCommonJs } from './code-cache.js';

export const BUNDLED_PARSER_ENV = 'ASYNCAPI_GEN_BUNDLED_PARSER';
export const PARSER_BUNDLE = path.join(VENDOR_DIR, 'parser.cjs');
export const PARSER_BUNDLE_CACHE = `${PARSER_BUNDLE}.cache`;

/** Spectral's schema validation and ruleset checks, as the parser in use loads them. */
export interface SpectralModules {
  /** `require` for the ajv runtime helpers that precompiled validators call. */
  readonly require: (id: string) => unknown;
  /** The exports of spectral-functions' `dist/schema/ajv.js`. */
  readonly ajvModule: unknown;
  /** The exports of spectral-core's `dist/ruleset/validation/assertions.js`. */
  readonly rulesetAssertions: unknown;
  /** `@stoplight/spectral-functions@x ajv@y ajv-formats@z ajv-errors@w`. */
  readonly versions: string;
}

export interface ParserModules {
  readonly source: 'bundle' | 'node_modules';
  /** With the bundle: whether V8 took its code cache. */
  readonly codeCacheUsed: boolean;
  /** With the bundle: how many of Spectral's load-time schema compiles waited for first use. */
  readonly deferredCompiles: number;
  readonly Parser: typeof Parser;
  readonly AvroSchemaParser: typeof AvroSchemaParser;
  readonly OpenAPISchemaParser: typeof OpenAPISchemaParser;
  readonly spectral: SpectralModules;
}

let loaded: ParserModules | undefined;
let bundleScript: ReturnType<typeof runCommonJs> | undefined;

export function parserModules(env: NodeJS.ProcessEnv = process.env): ParserModules {
  loaded ??= (env[BUNDLED_PARSER_ENV] === '0' ? undefined : fromBundle()) ?? fromNodeModules();
  return loaded;
}

/** The code cache of the bundle as it stands in this process (for the build step that writes it). */
export function bundleCodeCache(): Buffer | undefined {
  return bundleScript?.createCache();
}

function fromBundle(): ParserModules | undefined {
  let script: ReturnType<typeof runCommonJs>;
  try {
    script = runCommonJs(PARSER_BUNDLE, PARSER_BUNDLE_CACHE);
  } catch {
    return undefined;
  }
  const bundle = script.exports;
  if (!isBundleExports(bundle)) return undefined;
  bundleScript = script;
  return {
    source: 'bundle',
    codeCacheUsed: script.cacheUsed,
    deferredCompiles: typeof bundle.deferredCompiles === 'number' ? bundle.deferredCompiles : 0,
    Parser: bundle.Parser as typeof Parser,
    AvroSchemaParser: bundle.AvroSchemaParser as typeof AvroSchemaParser,
    OpenAPISchemaParser: bundle.OpenAPISchemaParser as typeof OpenAPISchemaParser,
    spectral: {
      require: bundle.spectralRequire,
      ajvModule: bundle.spectralAjv,
      rulesetAssertions: bundle.rulesetAssertions,
      versions: bundle.spectralVersions,
    },
  };
}

interface BundleExports {
  readonly Parser: unknown;
  readonly deferredCompiles?: unknown;
  readonly AvroSchemaParser: unknown;
  readonly OpenAPISchemaParser: unknown;
  readonly spectralAjv: unknown;
  readonly rulesetAssertions: unknown;
  readonly spectralVersions: string;
  readonly spectralRequire: (id: string) => unknown;
}

function isBundleExports(value: unknown): value is BundleExports {
  if (typeof value !== 'object' || value === null) return false;
  const field = (name: string): unknown => Reflect.get(value, name);
  return (
    typeof field('Parser') === 'function' &&
    typeof field('AvroSchemaParser') === 'function' &&
    typeof field('OpenAPISchemaParser') === 'function' &&
    typeof field('spectralRequire') === 'function' &&
    typeof field('spectralVersions') === 'string'
  );
}

/** The installed packages, the copies @asyncapi/parser itself loads. */
function fromNodeModules(): ParserModules {
  const fromHere = createRequire(import.meta.url);
  const spectral = installedSpectral();
  return {
    source: 'node_modules',
    codeCacheUsed: false,
    deferredCompiles: 0,
    Parser: (fromHere('@asyncapi/parser') as { Parser: typeof Parser }).Parser,
    AvroSchemaParser: (fromHere('@asyncapi/avro-schema-parser') as { AvroSchemaParser: typeof AvroSchemaParser }).AvroSchemaParser,
    OpenAPISchemaParser: (fromHere('@asyncapi/openapi-schema-parser') as { OpenAPISchemaParser: typeof OpenAPISchemaParser }).OpenAPISchemaParser,
    spectral: {
      require: spectral.require,
      ajvModule: spectral.require(spectral.ajvFactoryFile),
      rulesetAssertions: spectral.require(spectral.rulesetAssertionsFile),
      versions: spectral.versions,
    },
  };
}

export interface InstalledSpectral {
  /** `require` as seen from spectral-functions' own entry. */
  readonly require: NodeJS.Require;
  readonly ajvFactoryFile: string;
  readonly rulesetAssertionsFile: string;
  /** The ajv that spectral-core's rule functions compile their option and input schemas with. */
  readonly coreAjvFile: string;
  readonly versions: string;
}

/** Throws when the packages are not where @asyncapi/parser 3 has them. */
export function installedSpectral(): InstalledSpectral {
  const fromParser = createRequire(createRequire(import.meta.url).resolve('@asyncapi/parser'));
  const functionsEntry = fromParser.resolve('@stoplight/spectral-functions');
  const fromFunctions = createRequire(functionsEntry);
  const coreEntry = fromParser.resolve('@stoplight/spectral-core');
  const packageFolder = path.dirname(path.dirname(functionsEntry));
  const versionOf = (name: string): string => `${name}@${versionIn(fromFunctions.resolve(`${name}/package.json`)) ?? 'unknown'}`;
  return {
    require: fromFunctions,
    ajvFactoryFile: path.join(path.dirname(functionsEntry), 'schema', 'ajv.js'),
    rulesetAssertionsFile: path.join(path.dirname(coreEntry), 'ruleset', 'validation', 'assertions.js'),
    coreAjvFile: createRequire(coreEntry).resolve('ajv'),
    versions: [`@stoplight/spectral-functions@${versionIn(path.join(packageFolder, 'package.json')) ?? 'unknown'}`, versionOf('ajv'), versionOf('ajv-formats'), versionOf('ajv-errors')].join(' '),
  };
}
