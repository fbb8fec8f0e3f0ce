/**
 * `generate --watch`, run in-process with an AbortSignal: regenerates on
 * changes to the document and to the files it references (the set follows
 * the refs), survives an invalid save, and stops cleanly.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { tempDir } from './helpers.js';
import { waitUntil } from '../support/waiting.js';

const MAIN = `asyncapi: 3.0.0
info: { title: Watched, version: 1.0.0 }
channels:
  ping:
    address: ping
    messages:
      ping:
        payload: { $ref: './payload.yaml' }
operations:
  sendPing:
    action: send
    channel: { $ref: '#/channels/ping' }
`;

function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  return waitUntil(condition, what, timeoutMs, 25);
}

/** Writes through a temporary file and a rename, as many editors save. */
function saveAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

describe('generate --watch', () => {
  it('regenerates on changes to the document and its referenced files, keeps watching after an invalid save, stops on abort', async () => {
    const cwd = tempDir();
    const spec = path.join(cwd, 'asyncapi.yaml');
    writeFileSync(spec, MAIN);
    writeFileSync(path.join(cwd, 'payload.yaml'), 'type: object\nproperties:\n  first: { type: string }\n');
    let stderr = '';
    const stop = new AbortController();
    const io: CliIO = { stdout: () => undefined, stderr: (text) => (stderr += text), cwd, color: false, signal: stop.signal };
    const watching = run(['generate', 'asyncapi.yaml', '-o', 'out', '--watch', '--no-cache'], io);
    const types = (): string => readFileSync(path.join(cwd, 'out', 'types.ts'), 'utf8');
    await until(() => stderr.includes('Watching 2 files'), 'the first generation');
    expect(types()).toContain('first?: string');

    // A referenced file changes.
    let mark = stderr.length;
    writeFileSync(path.join(cwd, 'payload.yaml'), 'type: object\nproperties:\n  second: { type: string }\n');
    await until(() => stderr.slice(mark).includes('Generated'), 'regeneration after payload.yaml changed');
    expect(stderr.slice(mark)).toContain('changed: payload.yaml');
    expect(stderr.slice(mark)).toMatch(/Generated \d+ files in out \(\d+ changed, \d+ unchanged; \d+ ms/);
    expect(types()).toContain('second?: string');

    // An invalid intermediate save: diagnostics, the output stays, the watch goes on.
    mark = stderr.length;
    saveAtomically(spec, MAIN.replace('action: send', 'action: sned'));
    await until(() => stderr.slice(mark).includes('is not valid'), 'the diagnostics of the invalid save');
    expect(stderr.slice(mark)).toMatch(/asyncapi\.yaml:\d+:\d+ error/);
    expect(types()).toContain('second?: string');

    // The document now references another file: the watched set follows.
    mark = stderr.length;
    writeFileSync(path.join(cwd, 'other.yaml'), 'type: object\nproperties:\n  third: { type: number }\n');
    saveAtomically(spec, MAIN.replace('./payload.yaml', './other.yaml'));
    await until(() => stderr.slice(mark).includes('Generated'), 'regeneration after the fix');
    expect(types()).toContain('third?: number');
    mark = stderr.length;
    writeFileSync(path.join(cwd, 'other.yaml'), 'type: object\nproperties:\n  fourth: { type: boolean }\n');
    await until(() => stderr.slice(mark).includes('Generated'), 'regeneration after other.yaml changed');
    expect(types()).toContain('fourth?: boolean');

    // Several quick saves are debounced into one run.
    mark = stderr.length;
    for (const name of ['a', 'b', 'c']) writeFileSync(path.join(cwd, 'other.yaml'), `type: object\nproperties:\n  ${name}: { type: string }\n`);
    await until(() => stderr.slice(mark).includes('Generated'), 'one regeneration for three saves');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(stderr.slice(mark).match(/Generated/g)).toHaveLength(1);
    expect(types()).toContain('c?: string');

    stop.abort();
    expect(await watching).toBe(0);
  }, 60_000);

  it('follows the config file (jobs and settings) and the custom templates', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'asyncapi.yaml'), MAIN);
    writeFileSync(path.join(cwd, 'payload.yaml'), 'type: string\n');
    mkdirSync(path.join(cwd, 'tpl', 'partials'), { recursive: true });
    writeFileSync(path.join(cwd, 'tpl', 'partials', 'banner.hbs'), '{{banner.text}}\n// first banner\n');
    const config = path.join(cwd, 'asyncapi-gen.config.json');
    writeFileSync(config, JSON.stringify({ spec: 'asyncapi.yaml', output: 'out', templates: 'tpl' }));
    let stderr = '';
    const stop = new AbortController();
    const io: CliIO = { stdout: () => undefined, stderr: (text) => (stderr += text), cwd, color: false, signal: stop.signal };
    const watching = run(['generate', '--watch'], io);
    const index = (): string => readFileSync(path.join(cwd, 'out', 'index.ts'), 'utf8');
    await until(() => stderr.includes('Watching'), 'the first generation');
    expect(index()).toContain('// first banner');

    let mark = stderr.length;
    writeFileSync(path.join(cwd, 'tpl', 'partials', 'banner.hbs'), '{{banner.text}}\n// second banner\n');
    await until(() => stderr.slice(mark).includes('Generated'), 'regeneration after the partial changed');
    expect(index()).toContain('// second banner');

    mark = stderr.length;
    writeFileSync(config, JSON.stringify({ spec: 'asyncapi.yaml', output: 'out', templates: 'tpl', validate: 'none' }));
    await until(() => stderr.slice(mark).includes('Generated'), 'regeneration after the config changed');
    expect(index()).toContain("options.validate ?? 'none'");

    mark = stderr.length;
    writeFileSync(config, '{ "spec": "asyncapi.yaml", "output": "out", "validat": "none" }');
    await until(() => stderr.slice(mark).includes('still watching'), 'the config error');
    expect(stderr.slice(mark)).toMatch(/asyncapi-gen\.config\.json:1:\d+ error/);

    stop.abort();
    expect(await watching).toBe(0);
  }, 60_000);

  it('notices a $ref target that appears later, a template added to the custom folder, and a replaced folder', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'spec'));
    const spec = path.join(cwd, 'spec', 'asyncapi.yaml');
    writeFileSync(spec, MAIN.replace('./payload.yaml', './missing.yaml'));
    mkdirSync(path.join(cwd, 'tpl'));
    let stderr = '';
    const stop = new AbortController();
    const io: CliIO = { stdout: () => undefined, stderr: (text) => (stderr += text), cwd, color: false, signal: stop.signal };
    const watching = run(['generate', 'spec/asyncapi.yaml', '-o', 'out', '--templates', 'tpl', '--watch', '--no-cache'], io);
    await until(() => stderr.includes('Watching'), 'the first (failing) run');
    expect(stderr).toContain('is not valid');

    let mark = stderr.length;
    writeFileSync(path.join(cwd, 'spec', 'missing.yaml'), 'type: object\nproperties:\n  late: { type: string }\n');
    await until(() => stderr.slice(mark).includes('Generated'), 'regeneration once the referenced file exists');
    const types = (): string => readFileSync(path.join(cwd, 'out', 'types.ts'), 'utf8');
    expect(types()).toContain('late?: string');

    mark = stderr.length;
    mkdirSync(path.join(cwd, 'tpl', 'partials'));
    writeFileSync(path.join(cwd, 'tpl', 'partials', 'banner.hbs'), '{{banner.text}}\n// added while watching\n');
    await until(() => stderr.slice(mark).includes('Generated'), 'regeneration after a partial was added');
    expect(types()).toContain('// added while watching');

    mark = stderr.length;
    renameSync(path.join(cwd, 'spec'), path.join(cwd, 'spec-old'));
    mkdirSync(path.join(cwd, 'spec'));
    writeFileSync(spec, MAIN.replace('./payload.yaml', './missing.yaml'));
    writeFileSync(path.join(cwd, 'spec', 'missing.yaml'), 'type: object\nproperties:\n  replaced: { type: string }\n');
    await until(() => types().includes('replaced?: string'), 'regeneration from the replaced folder');
    mark = stderr.length;
    writeFileSync(path.join(cwd, 'spec', 'missing.yaml'), 'type: object\nproperties:\n  edited: { type: string }\n');
    await until(() => types().includes('edited?: string'), 'an edit inside the replaced folder');

    stop.abort();
    expect(await watching).toBe(0);
  }, 60_000);

  it('cannot be combined with --check', async () => {
    let stderr = '';
    const io: CliIO = { stdout: () => undefined, stderr: (text) => (stderr += text), cwd: tempDir(), color: false };
    expect(await run(['generate', 'x.yaml', '-o', 'out', '--watch', '--check'], io)).toBe(2);
    expect(stderr).toContain('--watch cannot be combined');
  });
});
