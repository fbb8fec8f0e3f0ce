/**
 * `generate` driven by a configuration file: several jobs, found upward from
 * the working directory, selected with --job, overridden by flags; validate
 * mode and include/exclude reach the generated code.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath, GENERATED_ROOT, typecheck } from '../support/generated.js';
import { cli, snapshot, tempDir } from './helpers.js';

function projectWithConfig(config: unknown, fileName = 'asyncapi-gen.config.json'): string {
  const cwd = tempDir();
  writeFileSync(path.join(cwd, fileName), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return cwd;
}

const TWO_JOBS = {
  jobs: [
    { name: 'lights', spec: fixturePath('demo/streetlights.yaml'), output: 'gen/lights', transports: ['mqtt'] },
    {
      name: 'lighting',
      spec: fixturePath('v3/lighting/asyncapi.yaml'),
      output: 'gen/lighting',
      validate: 'none',
      exclude: { operations: ['send*'] },
    },
  ],
};

describe('generate with a configuration file', () => {
  it('runs every job, from a subfolder too, and --check passes afterwards', async () => {
    const cwd = projectWithConfig(TWO_JOBS);
    mkdirSync(path.join(cwd, 'deep', 'er'), { recursive: true });
    const result = await cli(path.join(cwd, 'deep', 'er'), 'generate');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('[lights] Generated');
    expect(result.stderr).toContain('[lighting] Generated');
    // Paths in the config are relative to the config file, not to the working directory.
    expect(existsSync(path.join(cwd, 'gen', 'lights', 'transports', 'mqtt.ts'))).toBe(true);
    expect(existsSync(path.join(cwd, 'gen', 'lighting', 'index.ts'))).toBe(true);
    expect((await cli(cwd, 'generate', '--check')).code).toBe(0);
  });

  it('applies validate and exclude to the generated code', async () => {
    const cwd = projectWithConfig(TWO_JOBS);
    expect((await cli(cwd, 'generate')).code).toBe(0);
    const index = readFileSync(path.join(cwd, 'gen', 'lighting', 'index.ts'), 'utf8');
    expect(index).toContain("validate: options.validate ?? 'none'");
    expect(index).toContain("Default `'none'`");
    expect(index).toMatch(/receiveAlert\(/);
    expect(index).not.toMatch(/sendNote|sendFirmware/);
    expect(index).toMatch(/publishMeasurement\(/);
    const lights = readFileSync(path.join(cwd, 'gen', 'lights', 'index.ts'), 'utf8');
    expect(lights).not.toContain('options.validate ??');
  });

  it('--job picks jobs by name; -o needs exactly one job; flags override the config', async () => {
    const cwd = projectWithConfig(TWO_JOBS);
    const one = await cli(cwd, 'generate', '--job', 'lighting');
    expect(one.code).toBe(0);
    expect(existsSync(path.join(cwd, 'gen', 'lights'))).toBe(false);
    const unknown = await cli(cwd, 'generate', '--job', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no job named 'nope'");
    const ambiguous = await cli(cwd, 'generate', '-o', 'x');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('--job <name>');
    const overridden = await cli(cwd, 'generate', '--job', 'lighting', '-o', 'elsewhere', '--validate', 'send');
    expect(overridden.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'elsewhere', 'index.ts'), 'utf8')).toContain("validate: options.validate ?? 'send'");
    expect((await cli(cwd, 'generate', '--job', 'lighting', '--validate', 'sometimes')).code).toBe(2);
  });

  it('a spec argument uses the config job that generates from it, or needs -o', async () => {
    const cwd = projectWithConfig(TWO_JOBS);
    expect((await cli(cwd, 'generate', fixturePath('v3/lighting/asyncapi.yaml'))).code).toBe(0);
    expect(readFileSync(path.join(cwd, 'gen', 'lighting', 'index.ts'), 'utf8')).toContain("?? 'none'");
    const other = await cli(cwd, 'generate', fixturePath('v2/shop/asyncapi.yaml'));
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('pass -o <dir>');
  });

  it('reads YAML configs and the package.json key; --config names the file', async () => {
    const yaml = projectWithConfig(`spec: ${fixturePath('demo/streetlights.yaml')}\noutput: out\ntransports: [mqtt]\n`, 'asyncapi-gen.config.yaml');
    expect((await cli(yaml, 'generate')).code).toBe(0);
    expect(existsSync(path.join(yaml, 'out', 'index.ts'))).toBe(true);

    const pkg = projectWithConfig({ name: 'x', private: true, 'asyncapi-gen': { spec: fixturePath('demo/streetlights.yaml'), output: 'pkg-out' } }, 'package.json');
    expect((await cli(pkg, 'generate')).code).toBe(0);
    expect(existsSync(path.join(pkg, 'pkg-out', 'index.ts'))).toBe(true);

    const elsewhere = tempDir();
    writeFileSync(path.join(elsewhere, 'my.json'), JSON.stringify({ spec: fixturePath('demo/streetlights.yaml'), output: 'named-out' }));
    const named = await cli(tempDir(), 'generate', '--config', path.join(elsewhere, 'my.json'));
    expect(named.code).toBe(0);
    expect(existsSync(path.join(elsewhere, 'named-out', 'index.ts'))).toBe(true);
  });

  it('an invalid configuration is exit 2 with every problem at file:line:col, and nothing is written', async () => {
    const cwd = projectWithConfig(`{
  "jobs": [
    { "spec": "a.yaml", "output": "out", "transport": ["nats"] },
    { "spec": "b.yaml", "output": "out", "validate": "always" }
  ]
}
`);
    const result = await cli(cwd, 'generate');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/asyncapi-gen\.config\.json:3:\d+ error .*transport/);
    expect(result.stderr).toMatch(/asyncapi-gen\.config\.json:4:\d+ error .*always/);
    expect(result.stderr).toMatch(/asyncapi-gen\.config\.json:4:\d+ error .*out/);
    expect(snapshot(cwd)).toEqual({ 'asyncapi-gen.config.json': expect.any(String) });
  });

  it('the output of a selection type-checks strictly: only what the kept operations use is generated', async () => {
    const dir = path.join(GENERATED_ROOT, 'selection');
    rmSync(dir, { recursive: true, force: true });
    const cwd = projectWithConfig({ spec: fixturePath('v3/lighting/asyncapi.yaml'), output: dir, transports: [], include: { operations: ['queryConfig'], channels: ['alerts'] } });
    expect((await cli(cwd, 'generate')).code).toBe(0);
    const index = readFileSync(path.join(dir, 'index.ts'), 'utf8');
    expect(index).toMatch(/queryConfig\(/);
    expect(index).toMatch(/receiveAlert\(/);
    expect(index).not.toMatch(/publishMeasurement|listInventory|sendNote/);
    expect(await typecheck(dir, 'NodeNext')).toBe('');
  }, 60_000);

  it('--json reports a bad configuration, and a failing job does not stop the others', async () => {
    const bad = projectWithConfig({ spec: 'a.yaml', output: 3 });
    const report = await cli(bad, 'generate', '--json');
    expect(report.code).toBe(2);
    const parsed = JSON.parse(report.stdout) as { ok: boolean; diagnostics: Array<{ code: string; line?: number }> };
    expect(parsed.ok).toBe(false);
    expect(parsed.diagnostics.some((d) => d.code === 'config-wrong-type' && d.line === 3)).toBe(true);

    const cwd = projectWithConfig({ jobs: [{ name: 'broken', spec: fixturePath('demo/streetlights.yaml'), output: 'a', templates: 'missing' }, { name: 'fine', spec: fixturePath('demo/streetlights.yaml'), output: 'b', transports: ['memory'] }] });
    const both = await cli(cwd, 'generate', '--json');
    expect(both.code).toBe(2);
    const jobs = (JSON.parse(both.stdout) as { jobs: Array<{ name: string; status: string; diagnostics: Array<{ message: string }> }> }).jobs;
    expect(jobs.map((job) => [job.name, job.status])).toEqual([['broken', 'failed'], ['fine', 'written']]);
    expect(jobs[0]?.diagnostics.some((d) => d.message.includes('does not exist'))).toBe(true);
    expect(existsSync(path.join(cwd, 'b', 'index.ts'))).toBe(true);
    expect(existsSync(path.join(cwd, 'b', 'transports', 'mqtt.ts'))).toBe(false);
  });

  it('a spec with -o is not stopped by a broken config found upward; --no-config skips the search', async () => {
    const cwd = projectWithConfig('{ "jobs": [] }');
    const child = path.join(cwd, 'child');
    mkdirSync(child);
    const warned = await cli(child, 'generate', fixturePath('demo/streetlights.yaml'), '-o', 'out');
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('warning: ignoring ../asyncapi-gen.config.json, which is not a valid configuration');
    const quiet = await cli(child, 'generate', fixturePath('demo/streetlights.yaml'), '-o', 'out2', '--no-config');
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('ignoring');
    expect((await cli(child, 'generate')).code).toBe(2);
  });

  it('reports include patterns that match nothing', async () => {
    const cwd = projectWithConfig({ spec: fixturePath('v3/lighting/asyncapi.yaml'), output: 'out', include: { operations: ['recieve*'] } });
    const result = await cli(cwd, 'generate');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("include.operations pattern 'recieve*' matches no operation");
  });
});

describe('the validate mode, at run time', () => {
  it("'none' sends an invalid payload; the default refuses it", async () => {
    const loaded: Array<{ mode: string; send: () => Promise<void> }> = [];
    for (const mode of ['none', 'both']) {
      const dir = path.join(GENERATED_ROOT, `validate-mode-${mode}`);
      rmSync(dir, { recursive: true, force: true });
      const result = await cli(tempDir(), 'generate', fixturePath('v3/lighting/asyncapi.yaml'), '-o', dir, '-t', 'memory', '--validate', mode);
      expect(result.code, result.stderr).toBe(0);
      const generated = (await import(path.join(dir, 'index.ts'))) as {
        createClient: (options: { transport: unknown }) => { receiveAlert: (input: { payload: unknown }) => Promise<void> };
      };
      const memory = (await import(path.join(dir, 'transports', 'memory.ts'))) as { createMemoryTransport: () => unknown };
      const client = generated.createClient({ transport: memory.createMemoryTransport() });
      loaded.push({ mode, send: () => client.receiveAlert({ payload: { kind: 'overheat', celsius: 'very hot' } }) });
    }
    await expect(loaded[0]?.send()).resolves.toBeUndefined();
    await expect(loaded[1]?.send()).rejects.toThrow(/celsius/);
  });
});
