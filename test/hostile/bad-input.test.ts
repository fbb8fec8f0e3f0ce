/**
 * Broken inputs through the CLI: each gives a located diagnostic, a non-zero
 * exit, no stack trace, and leaves an existing output folder byte for byte
 * as it was.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, snapshot, tempDir } from '../cli/helpers.js';
import { fixturePath } from '../support/generated.js';

const VALID_HEAD = "asyncapi: 3.0.0\ninfo: { title: t, version: '1' }\n";

interface BadInput {
  readonly name: string;
  readonly files: Record<string, string | Buffer>;
  /** The main file, when not `asyncapi.yaml`. */
  readonly main?: string;
  readonly located: RegExp;
  readonly exitCode?: number;
}

/** Thirty megabytes of padding, then a syntax error on the last line. */
const HUGE = `${VALID_HEAD}x-padding: "${'a'.repeat(30 * 1024 * 1024)}"\nchannels: [unclosed\n`;

const CASES: ReadonlyArray<BadInput> = [
  { name: 'malformed YAML', files: { 'asyncapi.yaml': `${VALID_HEAD}channels:\n  a: [1, 2\n` }, located: /asyncapi\.yaml:\d+:\d+ error/ },
  { name: 'malformed JSON', main: 'asyncapi.json', files: { 'asyncapi.json': '{"asyncapi": "3.0.0", "info": {"title": "t",, }}' }, located: /asyncapi\.json:1:\d+ error/ },
  { name: 'no asyncapi field', files: { 'asyncapi.yaml': "info: { title: t, version: '1' }\n" }, located: /asyncapi\.yaml:1:1 error/ },
  { name: 'an unknown version', files: { 'asyncapi.yaml': "asyncapi: 9.9.9\ninfo: { title: t, version: '1' }\n" }, located: /asyncapi\.yaml:1:\d+ error/ },
  { name: 'AsyncAPI 1.x', files: { 'asyncapi.yaml': "asyncapi: 1.2.0\ninfo: { title: t, version: '1' }\n" }, located: /asyncapi\.yaml:1:\d+ error/ },
  { name: 'an unresolvable local ref', files: { 'asyncapi.yaml': `${VALID_HEAD}channels:\n  a:\n    address: a\n    messages:\n      m: { $ref: '#/components/messages/nope' }\n` }, located: /asyncapi\.yaml:7:\d+ error/ },
  { name: 'an unresolvable cross-file ref', files: { 'asyncapi.yaml': `${VALID_HEAD}channels:\n  a:\n    address: a\n    messages:\n      m: { $ref: './messages.yaml#/nope' }\n`, 'messages.yaml': 'm: { payload: { type: string } }\n' }, located: /asyncapi\.yaml:7:\d+ error/ },
  { name: 'a missing referenced file', files: { 'asyncapi.yaml': `${VALID_HEAD}channels:\n  a:\n    address: a\n    messages:\n      m: { $ref: './missing.yaml' }\n` }, located: /asyncapi\.yaml:7:\d+ error/ },
  { name: 'a cycle of refs across files', files: { 'asyncapi.yaml': `${VALID_HEAD}channels:\n  a: { $ref: './a.yaml' }\n`, 'a.yaml': "$ref: './b.yaml'\n", 'b.yaml': "$ref: './a.yaml'\n" }, located: /[ab]\.yaml:1:\d+ error ref-cycle/ },
  { name: 'a cycle of refs inside one file', files: { 'asyncapi.yaml': `${VALID_HEAD}channels:\n  a:\n    address: a\n    messages:\n      m: { payload: { $ref: '#/components/schemas/A' } }\ncomponents:\n  schemas:\n    A: { $ref: '#/components/schemas/B' }\n    B: { $ref: '#/components/schemas/A' }\n` }, located: /asyncapi\.yaml:1[01]:\d+ error ref-cycle/ },
  { name: 'an empty file', files: { 'asyncapi.yaml': '' }, located: /asyncapi\.yaml:1:1 error/ },
  { name: 'a binary file', files: { 'asyncapi.yaml': Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x89, 0x50, 0x4e, 0x47]) }, located: /asyncapi\.yaml:1:1 error/ },
  { name: 'a broken file of tens of megabytes', files: { 'asyncapi.yaml': HUGE }, located: /asyncapi\.yaml:[45]:\d+ error/ },
  { name: 'duplicate keys', files: { 'asyncapi.yaml': `${VALID_HEAD}channels:\n  a: { address: a }\n  a: { address: b }\n` }, located: /asyncapi\.yaml:5:3 error duplicate-key/ },
  { name: 'wrong types everywhere', files: { 'asyncapi.yaml': 'asyncapi: 3.0.0\ninfo: 5\nchannels: []\noperations: "none"\ncomponents: { schemas: 7 }\n' }, located: /asyncapi\.yaml:2:\d+ error/ },
  { name: 'a directory', main: 'folder.yaml', files: {}, located: /folder\.yaml:1:1 error/, exitCode: 2 },
];

let outputBefore: Record<string, string> = {};
let root = '';

beforeAll(async () => {
  root = tempDir();
  expect((await cli(root, 'generate', fixturePath('demo/streetlights.yaml'), '-o', 'out')).code).toBe(0);
  outputBefore = snapshot(path.join(root, 'out'));
}, 60_000);

function expectClean(result: { code: number; stderr: string; stdout: string }, located: RegExp, exitCode: number): void {
  expect(result.code, result.stderr).toBe(exitCode);
  expect(result.stderr).toMatch(located);
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(result.stderr).not.toContain('internal error');
  expect(snapshot(path.join(root, 'out'))).toEqual(outputBefore);
}

describe('broken inputs', () => {
  for (const input of CASES) {
    it(`${input.name}: a located error, exit ${input.exitCode ?? 1}, no stack trace, the output folder untouched`, async () => {
      const dir = path.join(root, input.name.replace(/\W+/g, '-'));
      mkdirSync(dir);
      for (const [name, contents] of Object.entries(input.files)) writeFileSync(path.join(dir, name), contents);
      const main = path.join(dir, input.main ?? 'asyncapi.yaml');
      if (input.main === 'folder.yaml') mkdirSync(main);
      const result = await cli(root, 'generate', main, '-o', 'out', '--no-cache');
      expectClean(result, input.located, input.exitCode ?? 1);
    }, 60_000);
  }

  it.skipIf(process.getuid?.() === 0)('an unreadable file: exit 2, located, the output untouched', async () => {
    const file = path.join(root, 'unreadable.yaml');
    writeFileSync(file, VALID_HEAD);
    chmodSync(file, 0o000);
    expectClean(await cli(root, 'generate', file, '-o', 'out', '--no-cache'), /unreadable\.yaml:1:1 error/, 2);
  });
});
