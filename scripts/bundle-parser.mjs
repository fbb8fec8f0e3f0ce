/**
 * Build step (after tsc): bundles @asyncapi/parser (with Spectral, ajv and the schema parsers) into one
 * CommonJS file, dist/vendor/parser.cjs. Loading ~900 small modules costs a cold run about
 * 0.7 s of file lookups and compiles; one file, with V8's code cache (`code-cache.js`), costs
 * a fraction of it. The bundle also hands out the two Spectral modules asyncapi-gen adjusts
 * (`src/load/shared-schemas.ts`), as the very objects the bundled parser uses, and the versions
 * the precompiled meta-schema validators are checked against. The code is the installed
 * packages' own, unchanged; without the bundle, asyncapi-gen loads them from node_modules.
 */
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedSpectral } from '../dist/load/vendor/parser-modules.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fromRoot = createRequire(path.join(root, 'package.json'));
// The copies @asyncapi/parser itself loads, located as asyncapi-gen locates them without the bundle.
const spectral = installedSpectral();
const ajvRuntime = ['ajv/dist/runtime/equal', 'ajv/dist/runtime/ucs2length', 'ajv/dist/runtime/uri', 'ajv/dist/runtime/validation_error', 'ajv-formats/dist/formats'];

// Spectral compiles the option and input schemas of every rule function while its modules load
// (about 50 ms of a cold run, for ~30 schemas), though a run calls few of those functions. While the
// parser loads, the ajv class spectral-core uses compiles on a validator's first call instead; after
// that compile is the library's own again. Same validators, same errors, only later.
// ASYNCAPI_GEN_SHARE_SCHEMAS=0 (which turns asyncapi-gen's other Spectral adjustments off) keeps it eager.
const entry = `'use strict';
const coreAjv = require(${JSON.stringify(spectral.coreAjvFile)});
const CoreAjv = coreAjv.default ?? coreAjv;
const compileNow = CoreAjv.prototype.compile;
const compileWasOwn = Object.prototype.hasOwnProperty.call(CoreAjv.prototype, 'compile');
let deferredCompiles = 0;
if (process.env.ASYNCAPI_GEN_SHARE_SCHEMAS !== '0' && typeof compileNow === 'function') {
  CoreAjv.prototype.compile = function compileOnFirstCall(schema, meta) {
    deferredCompiles += 1;
    const ajv = this;
    let compiled;
    const validate = function (...args) {
      compiled ??= compileNow.call(ajv, schema, meta);
      try {
        return compiled.apply(this, args);
      } finally {
        validate.errors = compiled.errors;
      }
    };
    validate.errors = null;
    return validate;
  };
}
let loaded;
try {
  loaded = {
    Parser: require('@asyncapi/parser').Parser,
    AvroSchemaParser: require('@asyncapi/avro-schema-parser').AvroSchemaParser,
    OpenAPISchemaParser: require('@asyncapi/openapi-schema-parser').OpenAPISchemaParser,
  };
} finally {
  // As it was: an inherited compile stays inherited.
  if (compileWasOwn) CoreAjv.prototype.compile = compileNow;
  else delete CoreAjv.prototype.compile;
}
module.exports = {
  ...loaded,
  deferredCompiles,
  spectralAjv: require(${JSON.stringify(spectral.ajvFactoryFile)}),
  rulesetAssertions: require(${JSON.stringify(spectral.rulesetAssertionsFile)}),
  spectralVersions: ${JSON.stringify(spectral.versions)},
  spectralRequire: (id) => {
    switch (id) {
${ajvRuntime.map((id) => `      case ${JSON.stringify(id)}: return require(${JSON.stringify(spectral.require.resolve(id))});`).join('\n')}
      default: throw new Error('not in the bundle: ' + id);
    }
  },
};
`;

// Its "main" is a UMD build whose factory requires its own files at run time, out of a bundler's
// sight; its ES module build is the same code with static imports.
const jsoncParser = path.join(path.dirname(path.dirname(path.dirname(fromRoot.resolve('jsonc-parser')))), 'lib', 'esm', 'main.js');

const outfile = path.join(root, 'dist', 'vendor', 'parser.cjs');
mkdirSync(path.dirname(outfile), { recursive: true });
await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: 'parser-bundle-entry.cjs', loader: 'js' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile,
  alias: { 'jsonc-parser': jsoncParser },
  // Whitespace and syntax only: names stay, as Spectral's messages use function names.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
  legalComments: 'eof',
  logLevel: 'warning',
});
process.stdout.write(`bundled @asyncapi/parser into ${path.relative(root, outfile)}\n`);
