import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addScenario, fixturePath, generateInto, typecheck } from '../support/generated.js';

describe('App <-> Client round trips over the memory transport', () => {
  it('v3 lighting: params, wildcards, headers, several messages, request/reply, validation both ways', async () => {
    const { dir } = await generateInto('roundtrip-lighting', fixturePath('v3/lighting/asyncapi.yaml'));
    addScenario(dir, 'lighting.scenario.ts');
    expect(await typecheck(dir, 'NodeNext')).toBe('');
    const scenario = (await import(pathToFileURL(path.join(dir, 'lighting.scenario.ts')).href)) as { runScenario: () => Promise<void> };
    await scenario.runScenario();
  }, 60_000);

  it('v2 shop: publish is received by the App, subscribe is sent, message oneOf, typed parameters', async () => {
    const { dir } = await generateInto('roundtrip-shop', fixturePath('v2/shop/asyncapi.yaml'));
    addScenario(dir, 'shop.scenario.ts');
    expect(await typecheck(dir, 'NodeNext')).toBe('');
    const scenario = (await import(pathToFileURL(path.join(dir, 'shop.scenario.ts')).href)) as { runScenario: () => Promise<void> };
    await scenario.runScenario();
  }, 60_000);

  it('the shared transport conformance scenario passes over the memory transport', async () => {
    const { dir } = await generateInto('conformance-memory', fixturePath('conformance/dot.yaml'));
    addScenario(dir, 'conformance.scenario.ts');
    addScenario(dir, 'memory-conformance.scenario.ts');
    expect(await typecheck(dir, 'NodeNext')).toBe('');
    const scenario = (await import(pathToFileURL(path.join(dir, 'memory-conformance.scenario.ts')).href)) as { runScenario: () => Promise<void> };
    await scenario.runScenario();
  }, 60_000);
});
