/** Each configuration format, loaded into resolved jobs with absolute paths and defaults. */
import { mkdir, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineConfig, loadConfig, type AsyncApiGenConfig, type ResolvedJob } from '../../src/config/index.js';
import { REPO, fixture, summaries, tempDir, userError, writeTree } from './helpers.js';

const DEFAULTS = { validate: 'both', include: {}, exclude: {}, allowRemoteRefs: false } as const;

describe('loadConfig: the formats', () => {
  it('reads asyncapi-gen.config.json (single job at the top level)', async () => {
    const dir = fixture('json');
    expect(await loadConfig(path.join(dir, 'asyncapi-gen.config.json'))).toEqual({
      file: path.join(dir, 'asyncapi-gen.config.json'),
      cache: true,
      jobs: [
        {
          ...DEFAULTS,
          name: 'generated',
          spec: path.join(dir, 'api/asyncapi.yaml'),
          output: path.join(dir, 'generated'),
          transports: ['nats', 'mqtt'],
          validate: 'send',
        },
      ],
    });
  });

  it('reads asyncapi-gen.config.yaml (a list of jobs, every setting)', async () => {
    const dir = fixture('yaml');
    const config = await loadConfig(path.join(dir, 'asyncapi-gen.config.yaml'));
    expect(config.cache).toBe(false);
    expect(config.jobs).toEqual<ResolvedJob[]>([
      {
        name: 'orders',
        spec: path.join(dir, 'specs/orders.yaml'),
        output: fixture('out/orders'),
        transports: ['kafka'],
        validate: 'both',
        templates: path.join(dir, 'templates'),
        include: { operations: ['send*', 'receiveOrder?'] },
        exclude: { channels: ['internal/*'] },
        allowRemoteRefs: true,
      },
      {
        ...DEFAULTS,
        name: '../out/billing',
        spec: path.join(dir, 'specs/billing.json'),
        output: fixture('out/billing'),
        validate: 'none',
      },
    ]);
  });

  it('reads asyncapi-gen.config.yml and applies the defaults', async () => {
    const dir = fixture('yml');
    const config = await loadConfig(path.join(dir, 'asyncapi-gen.config.yml'));
    expect(config.jobs).toEqual([{ ...DEFAULTS, name: 'src/generated', spec: path.join(dir, 'asyncapi.yaml'), output: path.join(dir, 'src/generated') }]);
    expect(config.jobs[0]).not.toHaveProperty('transports');
    expect(config.jobs[0]).not.toHaveProperty('templates');
  });

  it('reads the "asyncapi-gen" key of package.json', async () => {
    const dir = fixture('package-json');
    const config = await loadConfig(path.join(dir, 'package.json'));
    expect(config.file).toBe(path.join(dir, 'package.json'));
    expect(config.jobs).toEqual([{ ...DEFAULTS, name: 'generated', spec: path.join(dir, 'asyncapi.yaml'), output: path.join(dir, 'generated'), transports: [] }]);
  });

  it('locates problems inside the package.json key, with pointers below it', async () => {
    const error = await userError(loadConfig(fixture('package-json-invalid', 'package.json')));
    expect(summaries(error.diagnostics)).toEqual(['config-unknown-key@7:5']);
    expect(error.diagnostics[0]).toMatchObject({ pointer: '/asyncapi-gen/transport', hint: "Did you mean 'transports'?" });
  });

  it('refuses a package.json without the key', async () => {
    const error = await userError(loadConfig(path.join(REPO, 'package.json')));
    expect(summaries(error.diagnostics)).toEqual(['config-not-found@1:1']);
  });

  it('imports asyncapi-gen.config.mjs (an object as default export)', async () => {
    const dir = fixture('mjs');
    const config = await loadConfig(path.join(dir, 'asyncapi-gen.config.mjs'));
    expect(config.jobs).toEqual([
      { ...DEFAULTS, name: 'generated', spec: path.join(dir, 'asyncapi.yaml'), output: path.join(dir, 'generated'), transports: ['ws', 'redis'], validate: 'receive' },
    ]);
  });

  it('calls an async function exported by asyncapi-gen.config.mjs', async () => {
    const dir = fixture('mjs-function');
    const config = await loadConfig(path.join(dir, 'asyncapi-gen.config.mjs'));
    expect(config.jobs.map((job) => [job.name, job.spec, job.output])).toEqual([
      ['a', path.join(dir, 'specs/a.yaml'), path.join(dir, 'out/a')],
      ['b', path.join(dir, 'specs/b.yaml'), path.join(dir, 'out/b')],
    ]);
  });

  it('calls a plain (synchronous) function too', async () => {
    const dir = await tempDir();
    await writeTree(dir, { 'asyncapi-gen.config.mjs': "export default () => ({ spec: 'a.yaml', output: 'out' });\n" });
    expect((await loadConfig(path.join(dir, 'asyncapi-gen.config.mjs'))).jobs[0]?.output).toBe(path.join(dir, 'out'));
  });

  it('reads an edited .mjs again in the same process', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'asyncapi-gen.config.mjs');
    await writeTree(dir, { 'asyncapi-gen.config.mjs': "export default { spec: 'a.yaml', output: 'one' };\n" });
    expect((await loadConfig(file)).jobs[0]?.output).toBe(path.join(dir, 'one'));
    await writeTree(dir, { 'asyncapi-gen.config.mjs': "export default { spec: 'a.yaml', output: 'two' };\n" });
    expect((await loadConfig(file)).jobs[0]?.output).toBe(path.join(dir, 'two'));
  });

  it('compiles and imports asyncapi-gen.config.ts with the typescript package of its project, leaving no temporary file', async () => {
    const dir = fixture('ts');
    const config = await loadConfig(path.join(dir, 'asyncapi-gen.config.ts'));
    expect(config.jobs.map((job) => [job.name, job.spec, job.output, job.transports])).toEqual([
      ['orders', path.join(dir, 'specs/orders.yaml'), path.join(dir, 'generated/orders'), ['amqp']],
      ['audit', path.join(dir, 'specs/audit.yaml'), path.join(dir, 'generated/audit'), ['nats', 'kafka']],
    ]);
    expect(await readdir(dir)).toEqual(['asyncapi-gen.config.ts']);
  });

  it("lets a .ts config import defineConfig from 'asyncapi-gen', resolved from the config's own folder", async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'node_modules'));
    await symlink(path.join(REPO, 'node_modules', 'typescript'), path.join(dir, 'node_modules', 'typescript'), 'dir');
    await writeTree(dir, {
      // A stand-in for the installed package (the repository's own build may predate defineConfig).
      'node_modules/asyncapi-gen/package.json': JSON.stringify({ name: 'asyncapi-gen', type: 'module', exports: './index.js' }),
      'node_modules/asyncapi-gen/index.js': 'export function defineConfig(config) { return config; }\n',
      'asyncapi-gen.config.ts': [
        "import { defineConfig } from 'asyncapi-gen';",
        "const output: string = 'gen';",
        'export default defineConfig(async () => ({ spec: "api.yaml", output }));',
        '',
      ].join('\n'),
    });
    const config = await loadConfig(path.join(dir, 'asyncapi-gen.config.ts'));
    expect(config.jobs.map((job) => job.output)).toEqual([path.join(dir, 'gen')]);
    expect((await readdir(dir)).sort()).toEqual(['asyncapi-gen.config.ts', 'node_modules']);
  });

  it('explains what to install when a .ts config has no typescript package to compile it', async () => {
    const dir = await tempDir();
    await writeTree(dir, { 'asyncapi-gen.config.ts': "export default { spec: 'a.yaml', output: 'out' } as const;\n" });
    const error = await userError(loadConfig(path.join(dir, 'asyncapi-gen.config.ts')));
    expect(summaries(error.diagnostics)).toEqual(['config-typescript-missing@1:1']);
    expect(error.diagnostics[0]?.hint).toMatch(/npm install --save-dev typescript.*\.mjs, \.json or \.yaml/);
    expect(await readdir(dir)).toEqual(['asyncapi-gen.config.ts']);
  });

  it('reports TypeScript syntax errors at their line:column', async () => {
    const dir = await tempDir();
    await symlink(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await writeTree(dir, { 'asyncapi-gen.config.ts': "const a = 1;\nexport default { spec: 'a.yaml' output: 'out' };\n" });
    const error = await userError(loadConfig(path.join(dir, 'asyncapi-gen.config.ts')));
    expect(summaries(error.diagnostics)).toEqual(['config-syntax@2:33']);
    expect(error.diagnostics[0]?.message).toContain("',' expected");
  });

  it('removes the compiled temporary file when the .ts config throws, and names the config (not the temporary file)', async () => {
    const dir = await tempDir();
    await symlink(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await writeTree(dir, { 'asyncapi-gen.config.ts': "const fail = (): never => { throw new Error('no config today'); };\nexport default fail();\n" });
    const error = await userError(loadConfig(path.join(dir, 'asyncapi-gen.config.ts')));
    expect(summaries(error.diagnostics)).toEqual(['config-load-failed@1:1']);
    expect(error.diagnostics[0]?.message).toContain('no config today');
    expect((await readdir(dir)).sort()).toEqual(['asyncapi-gen.config.ts', 'node_modules']);
  });

  it('reports a module without a default export, and a function that fails', async () => {
    const dir = await tempDir();
    await writeTree(dir, {
      'none/asyncapi-gen.config.mjs': "export const config = { spec: 'a.yaml', output: 'out' };\n",
      'failing/asyncapi-gen.config.mjs': "export default async () => { throw new Error('cannot decide'); };\n",
    });
    const none = await userError(loadConfig(path.join(dir, 'none/asyncapi-gen.config.mjs')));
    expect(summaries(none.diagnostics)).toEqual(['config-no-default-export@1:1']);
    const failing = await userError(loadConfig(path.join(dir, 'failing/asyncapi-gen.config.mjs')));
    expect(summaries(failing.diagnostics)).toEqual(['config-load-failed@1:1']);
    expect(failing.diagnostics[0]?.message).toContain('cannot decide');
  });

  it('refuses unknown extensions and missing files', async () => {
    expect(summaries((await userError(loadConfig(fixture('json', 'nope.toml')))).diagnostics)).toEqual(['config-unsupported-format@1:1']);
    expect(summaries((await userError(loadConfig(fixture('json', 'missing.json')))).diagnostics)).toEqual(['config-not-found@1:1']);
    expect(summaries((await userError(loadConfig(fixture('json', 'missing.mjs')))).diagnostics)).toEqual(['config-not-found@1:1']);
  });

  it('resolves a relative config path against the working directory, and the paths in it against its own folder', async () => {
    const relative = path.relative(process.cwd(), fixture('yml', 'asyncapi-gen.config.yml'));
    const config = await loadConfig(relative);
    expect(config.file).toBe(fixture('yml', 'asyncapi-gen.config.yml'));
    expect(config.jobs[0]?.spec).toBe(fixture('yml', 'asyncapi.yaml'));
  });
});

describe('defineConfig', () => {
  it('returns what it is given', () => {
    const config: AsyncApiGenConfig = { spec: 'a.yaml', output: 'out' };
    expect(defineConfig(config)).toBe(config);
    const make = async (): Promise<AsyncApiGenConfig> => config;
    expect(defineConfig(make)).toBe(make);
  });
});
