/**
 * `asyncapi-gen init` in-process: the project's files, the spec copied with
 * its references, refusals, the transport question, a document fetched by
 * URL, and regeneration after the document changes (stubs added, never
 * overwritten, orphans reported).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { cli, snapshot, tempDir } from '../cli/helpers.js';
import { fixturePath } from '../support/generated.js';

const DEMO = fixturePath('demo/streetlights.yaml');

describe('asyncapi-gen init', () => {
  it('creates the project: config, spec, generated code, a stub per received operation, entry point, test, README', async () => {
    const cwd = tempDir();
    const result = await cli(cwd, 'init', 'svc', '--spec', DEMO, '--transport', 'nats');
    expect(result.code, result.stderr).toBe(0);
    const project = path.join(cwd, 'svc');
    const files = Object.keys(snapshot(project)).filter((file) => !file.startsWith('src/generated/'));
    expect(files.sort()).toEqual([
      '.gitignore', 'README.md', 'asyncapi-gen.config.json', 'asyncapi/streetlights.yaml', 'package.json',
      'src/handlers/answer-status.ts', 'src/handlers/on-dim.ts', 'src/main.ts', 'test/service.test.ts', 'tsconfig.json',
    ]);
    expect(existsSync(path.join(project, 'src', 'generated', 'service.ts'))).toBe(true);
    expect(existsSync(path.join(project, 'src', 'generated', 'transports', 'nats.ts'))).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(manifest.scripts)).toEqual(expect.arrayContaining(['generate', 'build', 'start', 'test', 'check']));
    expect(manifest.dependencies).toHaveProperty('@nats-io/transport-node');
    // The exact version: a newer generator would change the output and fail `npm run check`.
    expect(manifest.devDependencies['asyncapi-gen']).toBe('0.1.0');
    expect(readFileSync(path.join(project, 'src', 'main.ts'), 'utf8')).toContain("process.once('SIGTERM'");
    expect(readFileSync(path.join(project, 'src', 'handlers', 'answer-status.ts'), 'utf8')).toContain("Parameters<App['answerStatus']>[0]");
    // The project's own check passes straight away.
    expect((await cli(project, 'generate', '--check')).code).toBe(0);
  });

  it('copies a multi-file document with its references, keeping their layout', async () => {
    const cwd = tempDir();
    expect((await cli(cwd, 'init', 'svc', '--spec', fixturePath('v3/lighting/asyncapi.yaml'), '--yes')).code).toBe(0);
    const project = path.join(cwd, 'svc');
    expect(existsSync(path.join(project, 'asyncapi', 'messages.yaml'))).toBe(true);
    expect(existsSync(path.join(project, 'asyncapi', 'schemas', 'measurement.yaml'))).toBe(true);
    expect((await cli(project, 'generate', '--check')).code).toBe(0);
  });

  it('refuses a non-empty folder unless --force, and an invalid document creates nothing', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'svc'));
    writeFileSync(path.join(cwd, 'svc', 'notes.md'), 'mine\n');
    const refused = await cli(cwd, 'init', 'svc', '--spec', DEMO);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not empty');
    expect(snapshot(path.join(cwd, 'svc'))).toEqual({ 'notes.md': expect.any(String) });
    expect((await cli(cwd, 'init', 'svc', '--spec', DEMO, '--force')).code).toBe(0);
    expect(readFileSync(path.join(cwd, 'svc', 'notes.md'), 'utf8')).toBe('mine\n');
    expect(existsSync(path.join(cwd, 'svc', 'src', 'main.ts'))).toBe(true);
    // Again with --force over the project: the user's files stay, src/generated/ is replaced.
    const handler = path.join(cwd, 'svc', 'src', 'handlers', 'on-dim.ts');
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}// MY CODE\n`);
    const again = await cli(cwd, 'init', 'svc', '--spec', DEMO, '--force', '--transport', 'nats');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('kept your src/handlers/on-dim.ts');
    expect(readFileSync(handler, 'utf8')).toContain('// MY CODE');
    expect(existsSync(path.join(cwd, 'svc', 'src', 'generated', 'transports', 'nats.ts'))).toBe(true);
    expect(existsSync(path.join(cwd, 'svc', 'src', 'generated', 'transports', 'mqtt.ts'))).toBe(false);
    writeFileSync(path.join(cwd, 'a-file'), '');
    expect((await cli(cwd, 'init', 'a-file', '--spec', DEMO)).code).toBe(2);
    expect((await cli(cwd, 'init', 'none', '--spec', 'missing.yaml')).code).toBe(2);

    writeFileSync(path.join(cwd, 'bad.yaml'), 'asyncapi: 3.0.0\ninfo: { title: T }\n');
    const invalid = await cli(cwd, 'init', 'other', '--spec', 'bad.yaml');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/bad\.yaml:\d+:\d+ error/);
    expect(existsSync(path.join(cwd, 'other'))).toBe(false);
    expect((await cli(cwd, 'init', 'other')).code).toBe(2);
    expect((await cli(cwd, 'init', 'other', '--spec', DEMO, '--transport', 'carrier-pigeon')).code).toBe(2);
    expect(existsSync(path.join(cwd, 'other'))).toBe(false);
  });

  it('asks which transport only when someone can answer and --yes is absent', async () => {
    const cwd = tempDir();
    const spec = path.join(cwd, 'two.yaml');
    writeFileSync(spec, readFileSync(DEMO, 'utf8').replace(/^servers:\n/m, 'servers:\n  nats-local:\n    host: 127.0.0.1:4222\n    protocol: nats\n'));
    const questions: string[] = [];
    const io = (answer: string): CliIO => ({ stdout: () => undefined, stderr: () => undefined, cwd, color: false, ask: async (question) => {
      questions.push(question);
      return answer;
    } });
    expect(await run(['init', 'asked', '--spec', spec], io('mqtt'))).toBe(0);
    expect(questions).toHaveLength(1);
    expect(readFileSync(path.join(cwd, 'asked', 'src', 'main.ts'), 'utf8')).toContain('createMqttTransport');
    expect(await run(['init', 'defaults', '--spec', spec, '--yes'], io('mqtt'))).toBe(0);
    expect(questions).toHaveLength(1);
    expect(readFileSync(path.join(cwd, 'defaults', 'src', 'main.ts'), 'utf8')).toContain('createNatsTransport');
    // No TTY (no `ask`): the default, silently.
    expect((await cli(cwd, 'init', 'piped', '--spec', spec)).code).toBe(0);
    expect(readFileSync(path.join(cwd, 'piped', 'src', 'main.ts'), 'utf8')).toContain('createNatsTransport');
  });

  it('names handlers safely: clashing method names, reserved file names, bytes payloads without a sample', async () => {
    const cwd = tempDir();
    const spec = path.join(cwd, 'names.yaml');
    writeFileSync(spec, `asyncapi: 3.0.0
info: { title: names, version: '1' }
channels:
  c:
    address: c
    messages:
      blob: { contentType: application/octet-stream, payload: { type: string, format: binary } }
operations:
  get-a-b-c: { action: receive, channel: { $ref: '#/channels/c' } }
  getABC: { action: receive, channel: { $ref: '#/channels/c' } }
  con: { action: receive, channel: { $ref: '#/channels/c' } }
`);
    const result = await cli(cwd, 'init', 'svc', '--spec', spec, '--yes', '--transport', 'nats');
    expect(result.code, result.stderr).toBe(0);
    const handlers = Object.keys(snapshot(path.join(cwd, 'svc', 'src', 'handlers'))).sort();
    expect(handlers).toHaveLength(3);
    expect(handlers).toContain('con-handler.ts');
    const service = readFileSync(path.join(cwd, 'svc', 'src', 'generated', 'service.ts'), 'utf8');
    const imported = [...service.matchAll(/import \{ (handle\w+) \}/g)].map((match) => match[1]);
    expect(new Set(imported).size).toBe(3);
    expect(service).toContain("missing: \"message 'blob' carries bytes");
  });

  it('downloads a document given by URL', async () => {
    const server = http.createServer((request, response) => {
      if (request.url === '/asyncapi.yaml') response.end(readFileSync(DEMO));
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const cwd = tempDir();
      expect((await cli(cwd, 'init', 'svc', '--spec', `http://127.0.0.1:${port}/asyncapi.yaml`, '--yes')).code).toBe(0);
      expect(readFileSync(path.join(cwd, 'svc', 'asyncapi', 'asyncapi.yaml'), 'utf8')).toBe(readFileSync(DEMO, 'utf8'));
      const missing = await cli(cwd, 'init', 'none', '--spec', `http://127.0.0.1:${port}/missing.yaml`);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('HTTP 404');
      expect(existsSync(path.join(cwd, 'none'))).toBe(false);
    } finally {
      server.close();
    }
  });

  it('downloads the files a URL document refers to by relative $refs, and refuses refs leaving its folder', async () => {
    const files: Record<string, string> = {
      '/specs/main.yaml': [
        'asyncapi: 3.0.0',
        'info: { title: Split, version: 1.0.0 }',
        'channels:',
        '  readings:',
        '    address: readings',
        '    messages:',
        "      reading: { $ref: 'messages/reading.yaml' }",
        'operations:',
        '  onReading:',
        '    action: receive',
        "    channel: { $ref: '#/channels/readings' }",
        '',
      ].join('\n'),
      '/specs/messages/reading.yaml': "payload: { $ref: '../schemas/reading%20schema.yaml#/Reading' }\n",
      '/specs/schemas/reading%20schema.yaml': "Reading: { type: object, required: [value], properties: { value: { type: number }, unit: { $ref: 'unit.json' } } }\n",
      '/specs/schemas/unit.json': '{ "type": "string", "enum": ["celsius", "kelvin"] }',
      '/specs/escape.yaml': "asyncapi: 3.0.0\ninfo: { title: Escape, version: 1.0.0 }\ncomponents: { schemas: { a: { $ref: '../outside.yaml' } } }\n",
      '/specs/encoded.yaml': "asyncapi: 3.0.0\ninfo: { title: Encoded, version: 1.0.0 }\ncomponents: { schemas: { a: { $ref: '%2e%2e/%2e%2e/%2e%2e/etc/hosts' } } }\n",
      '/specs/absolute.yaml': "asyncapi: 3.0.0\ninfo: { title: Absolute, version: 1.0.0 }\ncomponents: { schemas: { a: { $ref: '/etc/hosts' } } }\n",
      '/specs/file-url.yaml': "asyncapi: 3.0.0\ninfo: { title: FileUrl, version: 1.0.0 }\ncomponents: { schemas: { a: { $ref: 'file:///etc/hosts' } } }\n",
      '/outside.yaml': 'type: string\n',
    };
    const server = http.createServer((request, response) => {
      const body = files[request.url ?? ''];
      if (body === undefined) response.writeHead(404).end();
      else response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const cwd = tempDir();
      const created = await cli(cwd, 'init', 'svc', '--spec', `http://127.0.0.1:${port}/specs/main.yaml`, '--yes');
      expect(created.code, created.stderr).toBe(0);
      const spec = path.join(cwd, 'svc', 'asyncapi');
      expect(readFileSync(path.join(spec, 'main.yaml'), 'utf8')).toBe(files['/specs/main.yaml']);
      expect(readFileSync(path.join(spec, 'messages', 'reading.yaml'), 'utf8')).toBe(files['/specs/messages/reading.yaml']);
      expect(readFileSync(path.join(spec, 'schemas', 'reading schema.yaml'), 'utf8')).toBe(files['/specs/schemas/reading%20schema.yaml']);
      expect(readFileSync(path.join(spec, 'schemas', 'unit.json'), 'utf8')).toBe(files['/specs/schemas/unit.json']);
      expect(JSON.parse(readFileSync(path.join(cwd, 'svc', 'asyncapi-gen.config.json'), 'utf8')).spec).toBe('asyncapi/main.yaml');
      expect(readFileSync(path.join(cwd, 'svc', 'src', 'generated', 'types.ts'), 'utf8')).toMatch(/'celsius' \| 'kelvin'/);

      const escaping = await cli(cwd, 'init', 'esc', '--spec', `http://127.0.0.1:${port}/specs/escape.yaml`, '--yes');
      expect(escaping.code).toBe(2);
      expect(escaping.stderr).toContain(`has $ref '../outside.yaml', which leaves the document's folder http://127.0.0.1:${port}/specs/`);
      expect(existsSync(path.join(cwd, 'esc'))).toBe(false);
      // Refs that would make the local copy read files of this machine are refused too.
      for (const [name, ref] of [['encoded', '%2e%2e/%2e%2e/%2e%2e/etc/hosts'], ['absolute', '/etc/hosts'], ['file-url', 'file:///etc/hosts']] as const) {
        const refused = await cli(cwd, 'init', name, '--spec', `http://127.0.0.1:${port}/specs/${name}.yaml`, '--yes');
        expect(refused.code, refused.stderr).toBe(2);
        expect(refused.stderr).toContain(`has $ref '${ref}', which leaves the document's folder`);
        expect(existsSync(path.join(cwd, name))).toBe(false);
      }
    } finally {
      server.close();
    }
  });

  it('after a document change, regeneration adds stubs, never overwrites a handler, reports orphans, and --check sees a missing stub', async () => {
    const cwd = tempDir();
    await cli(cwd, 'init', 'svc', '--spec', DEMO, '--yes');
    const project = path.join(cwd, 'svc');
    const onDim = path.join(project, 'src', 'handlers', 'on-dim.ts');
    writeFileSync(onDim, `${readFileSync(onDim, 'utf8')}// my implementation\n`);
    const specFile = path.join(project, 'asyncapi', 'streetlights.yaml');
    const original = readFileSync(specFile, 'utf8');
    const added = original
      .replace(/^operations:\n/m, 'operations:\n  onReset:\n    action: receive\n    channel:\n      $ref: \'#/channels/dim\'\n')
      .replace(/ {2}answerStatus:\n {4}action: receive[\s\S]*?statusReplies'\n/, '');
    expect(added).not.toBe(original);
    writeFileSync(specFile, added);
    const check = await cli(project, 'generate', '--check');
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('would create handler src/handlers/on-reset.ts');
    const regenerated = await cli(project, 'generate');
    expect(regenerated.code, regenerated.stderr).toBe(0);
    expect(regenerated.stderr).toContain('created handler src/handlers/on-reset.ts');
    expect(regenerated.stderr).toContain('src/handlers/answer-status.ts handles no operation of the document now; it was left alone');
    expect(readFileSync(onDim, 'utf8')).toContain('// my implementation');
    expect(existsSync(path.join(project, 'src', 'handlers', 'answer-status.ts'))).toBe(true);
    const service = readFileSync(path.join(project, 'src', 'generated', 'service.ts'), 'utf8');
    expect(service).toContain("from '../handlers/on-reset.js'");
    expect(service).not.toContain('answer-status');
    expect((await cli(project, 'generate', '--check')).code).toBe(0);
  });
});
