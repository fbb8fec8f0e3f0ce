/**
 * The promise of `init`, kept on this machine: in a created project,
 * `npm install && npm test` passes and `npm start` connects to a real broker
 * on loopback and handles (and answers) messages sent by the generated
 * Client; SIGTERM stops it cleanly. For NATS, MQTT and AMQP from the bundled
 * example, and for a document of the shared corpus. asyncapi-gen itself comes
 * from `npm pack` of this checkout (`--generator-package`).
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, brokerAvailable } from '../support/brokers.js';
import { fixturePath, PROJECT_ROOT } from '../support/generated.js';
import { cli } from '../cli/helpers.js';

const execute = promisify(execFile);
const CORPUS_SPEC = path.resolve(PROJECT_ROOT, '..', 'shared', 'specs', 'asyncapi-spec@v3.0.0', 'examples', 'streetlights-mqtt-asyncapi.yml');
/** Every operation on one address, request/reply with payload correlation ids: the shared-address rules. */
const SHARED_ADDRESS_SPEC = path.resolve(PROJECT_ROOT, '..', 'shared', 'specs', 'asyncapi-spec@v3.0.0', 'examples', 'kraken-websocket-request-reply-message-filter-in-reply-asyncapi.yml');

interface Case {
  readonly name: string;
  readonly spec: string;
  readonly transport: 'nats' | 'mqtt' | 'amqp';
  readonly factory: string;
}

const CASES: ReadonlyArray<Case> = [
  { name: 'bundled example over NATS', spec: fixturePath('demo/streetlights.yaml'), transport: 'nats', factory: 'createNatsTransport' },
  { name: 'bundled example over MQTT', spec: fixturePath('demo/streetlights.yaml'), transport: 'mqtt', factory: 'createMqttTransport' },
  { name: 'bundled example over AMQP', spec: fixturePath('demo/streetlights.yaml'), transport: 'amqp', factory: 'createAmqpTransport' },
  ...(existsSync(CORPUS_SPEC)
    ? ([
        { name: 'corpus streetlights-mqtt (AsyncAPI 3.0) over MQTT', spec: CORPUS_SPEC, transport: 'mqtt', factory: 'createMqttTransport' },
        { name: 'corpus streetlights-mqtt (AsyncAPI 3.0) over NATS', spec: CORPUS_SPEC, transport: 'nats', factory: 'createNatsTransport' },
        { name: 'corpus streetlights-mqtt (AsyncAPI 3.0) over AMQP', spec: CORPUS_SPEC, transport: 'amqp', factory: 'createAmqpTransport' },
      ] as const)
    : []),
  ...(existsSync(SHARED_ADDRESS_SPEC) ? [{ name: 'corpus kraken-websocket (one shared address) over NATS', spec: SHARED_ADDRESS_SPEC, transport: 'nats', factory: 'createNatsTransport' } as const] : []),
];

const available = {
  nats: await brokerAvailable('nats'),
  mqtt: await brokerAvailable('mqtt'),
  amqp: await brokerAvailable('amqp'),
};

let work = '';
let tarball = '';

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'asyncapi-gen-init-'));
  const { stdout } = await execute('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 });
  tarball = path.join(work, stdout.trim().split('\n').at(-1) ?? '');
  expect(existsSync(tarball)).toBe(true);
}, 180_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

function env(transport: Case['transport']): NodeJS.ProcessEnv {
  return { ...process.env, [`ASYNCAPI_${transport.toUpperCase()}_URL`]: BROKERS[transport].url, CI: '1', NO_COLOR: '1' };
}

async function waitFor(read: () => string, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!read().includes(text)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}" in:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a project created by init', () => {
  for (const testCase of CASES) {
    it.skipIf(!available[testCase.transport])(`${testCase.name}: npm install && npm test pass; npm start handles and answers messages; SIGTERM stops it`, async () => {
      const project = path.join(work, testCase.name.replace(/\W+/g, '-'));
      const created = await cli(work, 'init', project, '--spec', testCase.spec, '--transport', testCase.transport, '--yes', '--generator-package', `file:${tarball}`);
      expect(created.code, created.stderr).toBe(0);
      await execute('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, env: env(testCase.transport), maxBuffer: 64 * 1024 * 1024 });
      const tested = await execute('npm', ['test'], { cwd: project, env: env(testCase.transport), maxBuffer: 64 * 1024 * 1024 });
      expect(tested.stdout).toMatch(/# fail 0/);
      expect(tested.stdout).toMatch(/# pass [1-9]/);
      // The project's own drift check passes with the packed asyncapi-gen.
      await execute('npm', ['run', 'check'], { cwd: project, env: env(testCase.transport) });

      let output = '';
      const service = spawn(process.execPath, ['dist/src/main.js'], { cwd: project, env: env(testCase.transport) });
      service.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      service.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => service.on('exit', (code) => resolve(code)));
      try {
        await waitFor(() => output, 'is running over', 30_000);
        copyFileSync(path.join(PROJECT_ROOT, 'test', 'init', 'drive.mjs'), path.join(project, 'drive.mjs'));
        const driven = await execute(process.execPath, ['drive.mjs', testCase.transport, testCase.factory], { cwd: project, env: env(testCase.transport) });
        const handled = readFileSync(path.join(project, 'src', 'generated', 'service.ts'), 'utf8').match(/operation: '([^']+)'/g) ?? [];
        expect(handled.length).toBeGreaterThan(0);
        expect(driven.stdout).not.toContain('failed');
        for (const line of driven.stdout.trim().split('\n').filter((entry) => entry.startsWith('ok '))) {
          const operation = line.slice(3);
          // The stub handler logs each message it handles.
          await waitFor(() => output, `${operation}:`, 10_000);
        }
        expect(driven.stdout).toMatch(/^ok /m);
      } finally {
        service.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      expect(output).toContain('SIGTERM: stopping');
      expect(output).toContain('stopped');
    }, 300_000);
  }
});
