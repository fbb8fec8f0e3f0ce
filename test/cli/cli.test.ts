/** The CLI, run in-process through `run(argv, io)`, plus one spawn of the built binary. */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cli, snapshot, tempDir } from './helpers.js';
import { fixturePath, PROJECT_ROOT } from '../support/generated.js';

const INVALID_V3 = `asyncapi: 3.0.0
info:
  title: Broken
  version: 1.0.0
channels:
  a:
    address: a
    messages:
      m:
        payload:
          type: 12
`;

describe('asyncapi-gen generate', () => {
  it('writes the generated files and tells which packages they need', async () => {
    const cwd = tempDir();
    const output = await cli(cwd, 'generate', fixturePath('demo/streetlights.yaml'), '-o', 'out');
    const code = output.code;
    expect(output.stderr).toContain('Generated ');
    expect(code).toBe(0);
    expect(existsSync(path.join(cwd, 'out', 'index.ts'))).toBe(true);
    expect(existsSync(path.join(cwd, 'out', 'transports', 'memory.ts'))).toBe(true);
    expect(output.stderr).toContain('@types/node');
    expect(output.stdout).toBe('');
  }, 30_000);

  it('prints located errors, exits 1 and writes nothing for an invalid document', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'broken.yaml'), INVALID_V3);
    const output = await cli(cwd, 'generate', 'broken.yaml', '-o', 'out');
    const code = output.code;
    expect(code).toBe(1);
    expect(output.stderr).toMatch(/^broken\.yaml:11:17 error \S+ .+$/m);
    expect(output.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(cwd, 'out'))).toBe(false);
  }, 30_000);

  it('reports errors inside a referenced file at that file', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'spec', 'parts'), { recursive: true });
    writeFileSync(path.join(cwd, 'spec', 'main.yaml'), `asyncapi: 3.0.0
info: { title: T, version: 1.0.0 }
channels:
  a:
    address: a
    messages:
      m:
        $ref: './parts/message.yaml#/Message'
`);
    writeFileSync(path.join(cwd, 'spec', 'parts', 'message.yaml'), `Message:
  payload:
    type: object
    properties:
      size:
        type: 12
`);
    const output = await cli(os.tmpdir(), 'generate', path.join(cwd, 'spec', 'main.yaml'), '-o', path.join(cwd, 'out'));
    const code = output.code;
    expect(code).toBe(1);
    expect(output.stderr).toMatch(/parts\/message\.yaml:6:15 error /);
  }, 30_000);

  it('--json prints one machine-readable report on stdout', async () => {
    const cwd = tempDir();
    const output = await cli(cwd, 'generate', fixturePath('v2/shop/asyncapi.yaml'), '-o', 'out', '--json');
    const code = output.code;
    expect(code).toBe(0);
    const report = JSON.parse(output.stdout) as { ok: boolean; files: Array<{ path: string }>; packages: Array<{ name: string }>; diagnostics: unknown[] };
    expect(report.ok).toBe(true);
    expect(report.files.map((file) => file.path)).toContain('index.ts');
    expect(report.packages.map((p) => p.name)).toContain('@types/node');
    expect(Array.isArray(report.diagnostics)).toBe(true);
  }, 30_000);

  it('answers a repeated run from the output cache, and says so', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'package.json'), '{ "private": true }');
    writeFileSync(path.join(cwd, 'asyncapi.yaml'), readFileSync(fixturePath('demo/streetlights.yaml'), 'utf8'));
    const first = await cli(cwd, 'generate', 'asyncapi.yaml', '-o', 'first', '--json');
    const second = await cli(cwd, 'generate', 'asyncapi.yaml', '-o', 'second', '--json');
    const reports = [first, second].map((run) => JSON.parse(run.stdout) as { ok: boolean; jobs: Array<{ cached: boolean; reused: boolean }>; files: Array<{ path: string; bytes: number }> });
    expect(reports.map((report) => [report.ok, report.jobs[0]?.cached, report.jobs[0]?.reused])).toEqual([[true, false, false], [true, true, true]]);
    expect(reports[1]?.files).toEqual(reports[0]?.files.map((file) => ({ ...file, change: 'added' })));
    expect(snapshot(path.join(cwd, 'second'))).toEqual(snapshot(path.join(cwd, 'first')));
    const human = await cli(cwd, 'generate', 'asyncapi.yaml', '-o', 'second');
    expect(human.stderr).toMatch(/up to date, nothing written; \d+ ms, from the output cache;/);
    expect(existsSync(path.join(cwd, 'node_modules', '.cache', 'asyncapi-gen'))).toBe(true);
  }, 60_000);

  it('refuses AsyncAPI 1.x with a clear message', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'old.yaml'), 'asyncapi: 1.2.0\ninfo: { title: Old, version: 1.0.0 }\ntopics: {}\n');
    const output = await cli(cwd, 'generate', 'old.yaml', '-o', 'out');
    expect(output.code).toBe(1);
    expect(output.stderr).toMatch(/old\.yaml:1:\d+ error \S+ .*1\.x/);
  }, 30_000);

  it('exits 2 on usage errors', async () => {
    const output = await cli(tempDir(), 'generate', fixturePath('demo/streetlights.yaml'));
    expect(output.code).toBe(2);
    expect(output.stderr).toMatch(/no output folder: pass -o <dir>/);
    const noSpec = await cli(tempDir(), 'generate');
    expect(noSpec.code).toBe(2);
    expect(noSpec.stderr).toContain('no AsyncAPI document given and no asyncapi-gen configuration found');
    expect((await cli(tempDir(), 'frobnicate')).code).toBe(2);
    expect((await cli(tempDir())).code).toBe(2);
  });

  it('exits 2 (an I/O error) with a located diagnostic for a missing or unreadable document', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'folder.yaml'));
    const folder = await cli(cwd, 'generate', 'folder.yaml', '-o', 'out');
    expect(folder.code).toBe(2);
    expect((await cli(cwd, 'validate', 'folder.yaml')).code).toBe(2);
    const output = await cli(tempDir(), 'generate', 'nope.yaml', '-o', 'out');
    expect(output.code).toBe(2);
    expect(output.stderr).toMatch(/nope\.yaml:1:1 error/);
  });
});

describe('asyncapi-gen validate', () => {
  it('exits 0 for a valid document and 1 for an invalid one, writing nothing', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'broken.yaml'), INVALID_V3);
    const good = await cli(cwd, 'validate', fixturePath('v3/lighting/asyncapi.yaml'));
    expect(good.code).toBe(0);
    expect(good.stderr).toContain('is valid');
    const bad = await cli(cwd, 'validate', 'broken.yaml', '--json');
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { diagnostics: Array<{ severity: string; file: string; line: number }> };
    expect(report.diagnostics.some((d) => d.severity === 'error' && d.file === 'broken.yaml' && d.line === 11)).toBe(true);
  }, 30_000);
});

describe('the built binary', () => {
  it('runs from any working directory', async () => {
    const bin = path.join(PROJECT_ROOT, 'bin', 'asyncapi-gen.js');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, '--version'], { cwd: os.tmpdir() });
    const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(stdout.trim()).toBe(manifest.version);
  });

  // `script` gives the binary a pseudo-terminal, the only way to see what a person sees.
  it.skipIf(!existsSync('/usr/bin/script'))('colours diagnostics on a terminal, not with NO_COLOR, not through a pipe', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'broken.yaml'), INVALID_V3);
    const bin = path.join(PROJECT_ROOT, 'bin', 'asyncapi-gen.js');
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} validate broken.yaml --no-cache`;
    const onTerminal = (env: NodeJS.ProcessEnv): Promise<string> =>
      promisify(execFile)('/usr/bin/script', ['-qc', command, '/dev/null'], { cwd, env: { ...process.env, TERM: 'xterm', CI: '', ...env } })
        .then((result) => result.stdout, (error: { stdout?: string }) => error.stdout ?? '');
    const coloured = await onTerminal({ NO_COLOR: '' });
    expect(coloured).toContain('broken.yaml');
    expect(coloured).toContain('\u001b[31m');
    const plain = await onTerminal({ NO_COLOR: '1' });
    expect(plain).toContain('broken.yaml');
    expect(plain).not.toContain('\u001b[');
    const piped = await promisify(execFile)(process.execPath, [bin, 'validate', 'broken.yaml', '--no-cache'], { cwd, env: { ...process.env, NO_COLOR: '' } })
      .then((result) => result.stderr, (error: { stderr?: string }) => error.stderr ?? '');
    expect(piped).toContain('broken.yaml');
    expect(piped).not.toContain('\u001b[');
  }, 60_000);
});
