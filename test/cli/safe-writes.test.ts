/**
 * The output folder across regenerations: a manifest of what was generated,
 * stale files removed, other files left alone, hand edits and foreign folders
 * refused unless --force, --dry-run, and --check as the CI drift gate.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST_FILE, parseManifest } from '../../src/emit/manifest.js';
import { fixturePath } from '../support/generated.js';
import { cli, projectWith, snapshot, tempDir } from './helpers.js';

const DEMO = fixturePath('demo/streetlights.yaml');

describe('generate: safe writes', () => {
  it('records every generated file with its hash in a deterministic manifest', async () => {
    const cwd = tempDir();
    expect((await cli(cwd, 'generate', DEMO, '-o', 'out')).code).toBe(0);
    const manifestText = readFileSync(path.join(cwd, 'out', MANIFEST_FILE), 'utf8');
    const read = parseManifest(manifestText);
    expect(read.kind).toBe('valid');
    if (read.kind !== 'valid') return;
    const onDisk = snapshot(path.join(cwd, 'out'));
    delete onDisk[MANIFEST_FILE];
    expect(read.manifest.files).toEqual(onDisk);
    expect(manifestText).not.toMatch(/20\d\d-\d\d-\d\d/);
    expect((await cli(cwd, 'generate', DEMO, '-o', 'out')).stderr).toContain('up to date, nothing written');
    expect(readFileSync(path.join(cwd, 'out', MANIFEST_FILE), 'utf8')).toBe(manifestText);
  });

  it('removes stale generated files and the folders they leave empty, and never touches other files', async () => {
    const cwd = tempDir();
    expect((await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt,nats')).code).toBe(0);
    expect(existsSync(path.join(cwd, 'out', 'transports', 'nats.ts'))).toBe(true);
    writeFileSync(path.join(cwd, 'out', 'mine.ts'), 'export const mine = 1;\n');
    mkdirSync(path.join(cwd, 'out', 'extra'));
    writeFileSync(path.join(cwd, 'out', 'extra', 'notes.md'), 'notes\n');
    const second = await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt', '--verbose');
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('- transports/nats.ts');
    expect(existsSync(path.join(cwd, 'out', 'transports', 'nats.ts'))).toBe(false);
    expect(existsSync(path.join(cwd, 'out', 'transports', 'mqtt.ts'))).toBe(true);
    expect(readFileSync(path.join(cwd, 'out', 'mine.ts'), 'utf8')).toBe('export const mine = 1;\n');
    expect(readFileSync(path.join(cwd, 'out', 'extra', 'notes.md'), 'utf8')).toBe('notes\n');

    // A document without servers writes no transports at all: the folder goes.
    const bare = path.join(cwd, 'bare.yaml');
    writeFileSync(bare, 'asyncapi: 3.0.0\ninfo: { title: Bare, version: 1.0.0 }\nchannels:\n  ping:\n    address: ping\n    messages:\n      ping: { payload: { type: string } }\noperations:\n  sendPing:\n    action: send\n    channel: { $ref: "#/channels/ping" }\n');
    expect((await cli(cwd, 'generate', bare, '-o', 'out')).code).toBe(0);
    expect(existsSync(path.join(cwd, 'out', 'transports', 'mqtt.ts'))).toBe(false);
    expect(existsSync(path.join(cwd, 'out', 'transports', 'memory.ts'))).toBe(true);
    expect(existsSync(path.join(cwd, 'out', 'mine.ts'))).toBe(true);
  });

  it('refuses to overwrite or remove a generated file edited by hand, naming it, unless --force', async () => {
    const cwd = tempDir();
    await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt,nats');
    const index = path.join(cwd, 'out', 'index.ts');
    const nats = path.join(cwd, 'out', 'transports', 'nats.ts');
    writeFileSync(index, `${readFileSync(index, 'utf8')}// my change\n`);
    writeFileSync(nats, `${readFileSync(nats, 'utf8')}// my change\n`);
    const before = snapshot(path.join(cwd, 'out'));
    const refused = await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('generated files were edited by hand: index.ts, transports/nats.ts');
    expect(refused.stderr).toContain('--force');
    expect(snapshot(path.join(cwd, 'out'))).toEqual(before);

    const forced = await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt', '--force');
    expect(forced.code).toBe(0);
    expect(readFileSync(index, 'utf8')).not.toContain('// my change');
    expect(existsSync(nats)).toBe(false);
  });

  it('an edit that matches the new output is no conflict', async () => {
    const cwd = tempDir();
    await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt');
    const index = path.join(cwd, 'out', 'index.ts');
    const original = readFileSync(index, 'utf8');
    writeFileSync(index, `${original}// temporary\n`);
    writeFileSync(index, original);
    expect((await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt')).code).toBe(0);
  });

  it('refuses a non-empty folder it did not write, and files it would overwrite that it did not generate', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'src'));
    writeFileSync(path.join(cwd, 'src', 'app.ts'), 'app\n');
    const foreign = await cli(cwd, 'generate', DEMO, '-o', 'src');
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('not empty and was not written by asyncapi-gen');
    expect(snapshot(path.join(cwd, 'src'))).toEqual({ 'app.ts': snapshot(path.join(cwd, 'src'))['app.ts'] });

    const forced = await cli(cwd, 'generate', DEMO, '-o', 'src', '--force');
    expect(forced.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'src', 'app.ts'), 'utf8')).toBe('app\n');
    expect((await cli(cwd, 'generate', DEMO, '-o', 'src')).code).toBe(0);

    // A file the user put where a new transport will go.
    writeFileSync(path.join(cwd, 'src', 'transports', 'nats.ts'), 'mine\n');
    const clash = await cli(cwd, 'generate', DEMO, '-o', 'src', '-t', 'mqtt,nats');
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('files not generated by asyncapi-gen would be overwritten: transports/nats.ts');
    expect(readFileSync(path.join(cwd, 'src', 'transports', 'nats.ts'), 'utf8')).toBe('mine\n');
  });

  it('refuses an unreadable manifest instead of guessing', async () => {
    const cwd = tempDir();
    await cli(cwd, 'generate', DEMO, '-o', 'out');
    writeFileSync(path.join(cwd, 'out', MANIFEST_FILE), '{"generator": "asyncapi-gen", "version": 1');
    const result = await cli(cwd, 'generate', DEMO, '-o', 'out');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`its manifest ${MANIFEST_FILE} is unreadable`);
  });

  it('--dry-run prints the plan, writes nothing, and exits as the real run would', async () => {
    const cwd = tempDir();
    const fresh = await cli(cwd, 'generate', DEMO, '-o', 'out', '--dry-run');
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toContain('+ index.ts');
    expect(fresh.stderr).toContain('nothing was written');
    expect(existsSync(path.join(cwd, 'out'))).toBe(false);

    await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt,nats');
    const index = path.join(cwd, 'out', 'index.ts');
    writeFileSync(index, 'edited\n');
    const before = snapshot(path.join(cwd, 'out'));
    const planned = await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt', '--dry-run');
    expect(planned.code).toBe(2);
    expect(planned.stderr).toContain('~ index.ts');
    expect(planned.stderr).toContain('- transports/nats.ts');
    expect(planned.stderr).toContain('would be refused: generated files were edited by hand: index.ts');
    expect(snapshot(path.join(cwd, 'out'))).toEqual(before);
  });
});

describe('generate --check: the CI drift gate', () => {
  it('passes on a committed output, fails with a diff after the document changes, and writes nothing', async () => {
    const cwd = projectWith('v3/lighting');
    const spec = path.join('spec', 'asyncapi.yaml');
    expect((await cli(cwd, 'generate', spec, '-o', 'generated')).code).toBe(0);
    const committed = snapshot(path.join(cwd, 'generated'));

    const clean = await cli(cwd, 'generate', spec, '-o', 'generated', '--check');
    expect(clean.code).toBe(0);
    expect(clean.stderr).toContain('generated is up to date');

    // Edit a file the document references: a new optional property in a schema.
    const schemaFile = path.join(cwd, 'spec', 'schemas', 'measurement.yaml');
    const schema = readFileSync(schemaFile, 'utf8');
    expect(schema).toContain('properties:');
    writeFileSync(schemaFile, schema.replace('properties:', 'properties:\n  calibratedAt:\n    type: string\n    format: date-time'));
    const drift = await cli(cwd, 'generate', spec, '-o', 'generated', '--check');
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain('drift: generated differs from what spec/asyncapi.yaml generates');
    expect(drift.stderr).toMatch(/~ types\.ts \(differs\)/);
    expect(drift.stderr).toMatch(/^\s+\+.*calibratedAt/m);
    expect(snapshot(path.join(cwd, 'generated'))).toEqual(committed);

    const json = await cli(cwd, 'generate', spec, '-o', 'generated', '--check', '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; jobs: Array<{ status: string; drift: Array<{ path: string; change: string; diff: string[] }>; timings: Record<string, number> }> };
    expect(report.ok).toBe(false);
    expect(report.jobs[0]?.status).toBe('drift');
    expect(report.jobs[0]?.drift.map((entry) => entry.path)).toEqual(expect.arrayContaining(['types.ts', 'validators.ts', MANIFEST_FILE]));
    expect(Object.keys(report.jobs[0]?.timings ?? {})).toEqual(['loadMs', 'generateMs', 'writeMs']);

    expect((await cli(cwd, 'generate', spec, '-o', 'generated')).code).toBe(0);
    expect((await cli(cwd, 'generate', spec, '-o', 'generated', '--check')).code).toBe(0);
  });

  it('lists files that would be added and removed, and a missing output folder', async () => {
    const cwd = tempDir();
    await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt');
    const added = await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt,nats', '--check');
    expect(added.code).toBe(1);
    expect(added.stderr).toContain('+ transports/nats.ts (would be added)');
    const removed = await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'memory', '--check');
    expect(removed.code).toBe(1);
    expect(removed.stderr).toContain('- transports/mqtt.ts (would be removed)');
    const missing = await cli(cwd, 'generate', DEMO, '-o', 'nowhere', '--check');
    expect(missing.code).toBe(1);
    expect(existsSync(path.join(cwd, 'nowhere'))).toBe(false);
  });

  it('an invalid document fails the gate with exit 1 too', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'bad.yaml'), 'asyncapi: 3.0.0\ninfo: { title: T }\n');
    const result = await cli(cwd, 'generate', 'bad.yaml', '-o', 'out', '--check');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.yaml:\d+:\d+ error/);
  });

  it('--check with --dry-run is a usage error', async () => {
    expect((await cli(tempDir(), 'generate', DEMO, '-o', 'out', '--check', '--dry-run')).code).toBe(2);
  });
});
