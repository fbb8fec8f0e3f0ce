/**
 * `asyncapi-gen templates eject <dir>`: copies the built-in templates and
 * partials into a folder as the start of custom templates (`--templates`).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TEMPLATES_DIR } from '../paths.js';
import { builtInTemplateFiles } from '../render/template-set.js';
import { BUILT_IN_HELPERS } from '../render/helpers.js';
import { EXIT_SUCCESS, EXIT_USAGE, type CliIO } from './io.js';

const GUIDE = 'README.md';

function guide(files: ReadonlyArray<string>): string {
  return `# Custom templates for asyncapi-gen

Use this folder with \`asyncapi-gen generate <spec> -o <dir> --templates <this folder>\` or the
\`templates\` field of the configuration. Every file here replaces the built-in file of the same name;
delete the ones you do not change, so that you keep getting the built-in versions' fixes.

Files: ${files.map((file) => `\`${file}\``).join(', ')}.

- \`<name>.ts.hbs\` renders \`<name>.ts\` of the output. The view each one receives is typed in
  asyncapi-gen's exports: \`index\` gets \`IndexView\`, \`types\` \`TypesView\`, \`channels\` \`ChannelsView\`,
  \`validators\` \`ValidatorsView\`, \`servers\` \`ServersView\` (\`import type { IndexView } from 'asyncapi-gen'\`).
- \`partials/<name>.hbs\` is the partial \`{{> name}}\`; add new partials the same way.
- \`helpers.mjs\` (optional) adds helpers: \`export default { shout: (text) => String(text).toUpperCase() }\`.
  Built-in helpers: ${Object.keys(BUILT_IN_HELPERS).map((name) => `\`${name}\``).join(', ')}.

Templates run with no HTML escaping, strict lookups (a misspelt field is an error) and known helpers
only. Strings of the view are already escaped for where the built-in templates print them (\`*Literal\`
fields are string literals, \`*Doc\` fields JSDoc blocks); print other raw values through
\`stringLiteral\` or \`commentText\`. The output goes through prettier afterwards.
`;
}

export async function runTemplatesEject(io: CliIO, dir: string, flags: { readonly force?: boolean }): Promise<number> {
  const target = path.resolve(io.cwd, dir);
  const files = [...builtInTemplateFiles(), GUIDE];
  const existing = files.filter((file) => existsSync(path.join(target, file)));
  if (existing.length > 0 && flags.force !== true) {
    io.stderr(`error: ${path.relative(io.cwd, target) || '.'} already has ${existing.join(', ')}; nothing was copied (pass --force to overwrite)\n`);
    return EXIT_USAGE;
  }
  for (const file of builtInTemplateFiles()) {
    await mkdir(path.dirname(path.join(target, file)), { recursive: true });
    await copyFile(path.join(TEMPLATES_DIR, file), path.join(target, file));
  }
  await writeFile(path.join(target, GUIDE), guide(builtInTemplateFiles()));
  io.stderr(`Copied ${files.length - 1} templates and partials to ${path.relative(io.cwd, target) || '.'} (see its ${GUIDE}).\n`);
  return EXIT_SUCCESS;
}
