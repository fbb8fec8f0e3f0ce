/**
 * Hostile documents: every string a document can carry into generated code
 * holds comment terminators, quotes, backticks, `${...}`, backslashes, line
 * and paragraph separators, Handlebars syntax and `</script>`; property and
 * operation names are reserved words and Object.prototype members. The
 * output must type-check, every module must import, and no injected statement
 * may run (it would set a global or write a marker file).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../cli/helpers.js';
import { GENERATED_ROOT, typecheck } from '../support/generated.js';

const MARKER = path.join(os.tmpdir(), `asyncapi-gen-pwned-${process.pid}`);
const GLOBAL = '__asyncapiGenPwned';

/** Each tries to end the string, comment, template or regex it lands in and run code. */
const PAYLOADS = [
  `*/ globalThis.${GLOBAL} = 1; /*`,
  `'; globalThis.${GLOBAL} = 2; '`,
  `"; globalThis.${GLOBAL} = 3; "`,
  `\`; globalThis.${GLOBAL} = 4; \``,
  `\${globalThis.${GLOBAL} = 5}`,
  `\\'; require('node:fs').writeFileSync(${JSON.stringify(MARKER)}, 'x'); //`,
  `line\u2028globalThis.${GLOBAL} = 6;\u2029`,
  `{{banner.text}} {{#each operations}}x{{/each}}`,
  `</script><script>globalThis.${GLOBAL} = 7</script>`,
  `\r\n// ${GLOBAL}\r\nglobalThis.${GLOBAL} = 8;`,
];

function yamlString(text: string): string {
  return JSON.stringify(text);
}

function hostileDocument(): string {
  const text = PAYLOADS.map(yamlString);
  const all = (index: number): string => text[index % text.length] ?? '""';
  const channelRef = yamlString(`#/channels/chan ${(PAYLOADS[0] ?? '').replace(/~/g, '~0').replace(/\//g, '~1')}`);
  return `asyncapi: 3.0.0
info:
  title: ${all(0)}
  version: ${all(1)}
  description: ${yamlString(PAYLOADS.join(' '))}
  x-extension: ${all(2)}
servers:
  ${yamlString(`evil${PAYLOADS[1]}`)}:
    host: ${yamlString('localhost:4222')}
    protocol: nats
    description: ${all(3)}
    pathname: ${yamlString('/a*/b')}
channels:
  ${yamlString(`chan ${PAYLOADS[0]}`)}:
    address: ${yamlString("orders/{order'Id}/x*/`y`")}
    title: ${all(4)}
    description: ${all(5)}
    parameters:
      ${yamlString("order'Id")}:
        description: ${all(6)}
        enum: [${all(1)}, ${all(3)}]
    messages:
      ${yamlString(`msg ${PAYLOADS[2]}`)}:
        name: ${all(7)}
        title: ${all(8)}
        summary: ${all(9)}
        contentType: application/json
        payload:
          type: object
          description: ${all(0)}
          required: [constructor, "weird key"]
          properties:
            constructor: { type: string, description: ${all(1)} }
            toString: { type: number }
            valueOf: { type: string }
            isPrototypeOf: { type: string }
            "weird key": { type: string, pattern: ${yamlString("^[a-z*/]+'\"`$")}, default: ${all(2)} }
            a-b: { type: string, enum: [${all(3)}, ${all(4)}, ${all(5)}] }
            123start: { const: ${all(6)} }
            class: { type: string, examples: [${all(7)}], format: ${yamlString("date-time */ x")} }
            ${yamlString(PAYLOADS[0] ?? '')}: { type: string }
            ${yamlString(PAYLOADS[4] ?? '')}: { type: integer }
        examples:
          - name: ${all(8)}
            payload: { constructor: ${all(9)}, "weird key": "abc" }
operations:
  constructor:
    action: receive
    title: ${all(2)}
    summary: ${all(3)}
    description: ${all(4)}
    channel: { $ref: ${channelRef} }
  toString:
    action: send
    channel: { $ref: ${channelRef} }
  class:
    action: send
    channel: { $ref: ${channelRef} }
  valueOf:
    action: receive
    channel: { $ref: ${channelRef} }
`;
}

function modulesIn(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...modulesIn(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(full);
  }
  return found;
}

describe('hostile documents', () => {
  it('carry every string so that it cannot change the program: the output type-checks, imports, and runs nothing injected', async () => {
    const cwd = tempDir();
    const spec = path.join(cwd, 'hostile.yaml');
    writeFileSync(spec, hostileDocument());
    rmSync(MARKER, { force: true });
    const out = path.join(GENERATED_ROOT, 'hostile');
    rmSync(out, { recursive: true, force: true });
    const result = await cli(cwd, 'generate', spec, '-o', out, '-t', 'nats', '--handlers', path.join(GENERATED_ROOT, 'hostile-handlers'), '--no-cache', '--force');
    expect(result.code, result.stderr).toBe(0);
    expect(await typecheck(out, 'NodeNext')).toBe('');
    for (const module of modulesIn(out)) await import(pathToFileURL(module).href);
    expect((globalThis as Record<string, unknown>)[GLOBAL]).toBeUndefined();
    expect(existsSync(MARKER)).toBe(false);
  }, 120_000);
});

describe('keys the AsyncAPI parser breaks on', () => {
  it('are located errors, not a parser crash', async () => {
    const cwd = tempDir();
    for (const key of ['__proto__', 'hasOwnProperty']) {
      const spec = path.join(cwd, `${key}.yaml`);
      writeFileSync(spec, `asyncapi: 3.0.0\ninfo: { title: t, version: '1' }\nchannels:\n  c:\n    address: c\n    messages:\n      m:\n        payload:\n          type: object\n          properties:\n            ${key}: { type: string }\n`);
      const result = await cli(cwd, 'generate', spec, '-o', 'out', '--no-cache');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${key}.yaml:11:13 error unsupported-key`);
      expect(result.stderr).not.toContain('parser-crash');
    }
  });
});

describe('local $refs outside the document\'s folder', () => {
  it('are allowed, and reported with --verbose', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'api'));
    writeFileSync(path.join(cwd, 'shared.yaml'), 'type: string\n');
    writeFileSync(path.join(cwd, 'api', 'asyncapi.yaml'), `asyncapi: 3.0.0\ninfo: { title: t, version: '1' }\nchannels:\n  c:\n    address: c\n    messages:\n      m:\n        payload: { $ref: '../shared.yaml' }\n`);
    const quiet = await cli(cwd, 'generate', 'api/asyncapi.yaml', '-o', 'out', '--no-cache');
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('ref-outside-folder');
    const verbose = await cli(cwd, 'generate', 'api/asyncapi.yaml', '-o', 'out', '--no-cache', '--verbose');
    expect(verbose.stderr).toMatch(/api\/asyncapi\.yaml:8:\d+ info ref-outside-folder \$ref "\.\.\/shared\.yaml" reads .*shared\.yaml, outside the document's folder/);
  });
});

describe('writes stay in the output folder', () => {
  it('an output folder that is a symbolic link is written through (the user chose it); links inside it are refused', async () => {
    const cwd = tempDir();
    const real = path.join(cwd, 'real');
    mkdirSync(real);
    symlinkSync(real, path.join(cwd, 'linked'));
    const spec = path.join(cwd, 'hostile.yaml');
    writeFileSync(spec, hostileDocument());
    expect((await cli(cwd, 'generate', spec, '-o', 'linked', '--no-cache')).code).toBe(0);
    expect(existsSync(path.join(real, 'index.ts'))).toBe(true);
    const elsewhere = path.join(cwd, 'elsewhere');
    mkdirSync(elsewhere);
    rmSync(path.join(real, 'core'), { recursive: true });
    symlinkSync(elsewhere, path.join(real, 'core'));
    const refused = await cli(cwd, 'generate', spec, '-o', 'linked', '--no-cache', '--force');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('symbolic link');
    expect(readdirSync(elsewhere)).toEqual([]);
  }, 60_000);
});
