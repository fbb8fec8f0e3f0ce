/**
 * Interop with plain `ws` peers: the generated App (serving) is read and
 * written by plain clients, and the generated Client talks to a plain server;
 * payloads are the JSON text, headers the documented envelope line. The
 * generated code is type-checked under moduleResolution Bundler here (the
 * conformance suite checks NodeNext).
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, generateInto, typecheck } from '../../support/generated.js';

interface InteropScenario {
  appWithPlainClients(): Promise<void>;
  clientWithPlainServer(): Promise<void>;
}

let scenario: InteropScenario;

beforeAll(async () => {
  const { dir } = await generateInto('ws-interop', fixturePath('conformance/slash.yaml'), { transports: ['ws'] });
  copyFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'interop.scenario.ts'), path.join(dir, 'interop.scenario.ts'));
  expect(await typecheck(dir, 'Bundler')).toBe('');
  scenario = (await import(pathToFileURL(path.join(dir, 'interop.scenario.ts')).href)) as InteropScenario;
}, 120_000);

describe('ws transport: interop with plain ws peers', () => {
  it('plain clients read what the generated App sends and send what it receives', async () => {
    await scenario.appWithPlainClients();
  }, 30_000);

  it('the generated Client talks to a plain ws server', async () => {
    await scenario.clientWithPlainServer();
  }, 30_000);
});
