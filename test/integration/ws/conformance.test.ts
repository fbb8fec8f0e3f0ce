/**
 * The shared conformance scenario over WebSocket: code generated from
 * fixtures/conformance/slash.yaml (addresses are URL paths), type-checked with
 * the strict flags under NodeNext (interop.test.ts checks Bundler), then run
 * with the App serving and the Client connecting.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { addScenario, fixturePath, generateInto, typecheck } from '../../support/generated.js';

describe('ws transport: the shared conformance scenario', () => {
  it('passes with the App serving and the Client connecting (slash.yaml)', async () => {
    const { dir } = await generateInto('conformance-ws', fixturePath('conformance/slash.yaml'), { transports: ['ws'] });
    addScenario(dir, 'conformance.scenario.ts');
    addScenario(dir, 'ws-conformance.scenario.ts');
    expect(await typecheck(dir, 'NodeNext')).toBe('');
    const scenario = (await import(pathToFileURL(path.join(dir, 'ws-conformance.scenario.ts')).href)) as { runScenario: () => Promise<void> };
    await scenario.runScenario();
  }, 120_000);
});
