/**
 * Build step: bundles the built command line (dist/cli/bundle-entry.js, with commander,
 * handlebars, yaml and prettier's standalone build) into one CommonJS file, dist/cli.bundle.cjs,
 * which `dist/cli/load-cli.js` runs with V8's code cache. @asyncapi/parser stays out of it: it
 * has its own bundle (`bundle-parser.mjs`), loaded only when a run parses.
 *
 * Each module keeps the `import.meta.url` it has in dist/, so paths computed from it (the
 * package root, the templates, the code the caches fingerprint) are the same in the bundle.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const outfile = path.join(dist, 'cli.bundle.cjs');

const moduleUrlOfDistFiles = {
  name: 'module-url-of-dist-files',
  setup(plugin) {
    plugin.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
      const relative = path.relative(dist, args.path).split(path.sep).join('/');
      const source = await readFile(args.path, 'utf8');
      if (/import\.meta\.(?!url\b)/.test(source)) throw new Error(`${relative} uses import.meta beyond .url, which the CLI bundle does not provide`);
      return { contents: source.replaceAll('import.meta.url', `__asyncapiGenModuleUrl(${JSON.stringify(relative)})`), loader: 'js' };
    });
  },
};

await build({
  entryPoints: [path.join(dist, 'cli', 'bundle-entry.js')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile,
  banner: {
    js: 'var __asyncapiGenModuleUrl = (relative) => require("node:url").pathToFileURL(require("node:path").join(__dirname, relative)).href;',
  },
  plugins: [moduleUrlOfDistFiles],
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
  legalComments: 'eof',
  logLevel: 'warning',
});
process.stdout.write(`bundled the command line into ${path.relative(root, outfile)}\n`);
