/**
 * The shared transport conformance scenario, generated from the conformance
 * fixtures with the Redis transport, type-checked, and run against Redis.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { brokerAvailable } from '../../support/brokers.js';
import { addScenario, fixturePath, generateInto, typecheck } from '../../support/generated.js';

const available = await brokerAvailable('redis');

type Scenario = { runScenario: () => Promise<void> };

async function generateScenario(name: string, fixture: string): Promise<string> {
  const { dir } = await generateInto(name, fixturePath(fixture), { transports: ['redis'] });
  addScenario(dir, 'conformance.scenario.ts');
  addScenario(dir, 'redis-conformance.scenario.ts');
  return dir;
}

async function runScenario(dir: string): Promise<void> {
  const scenario = (await import(pathToFileURL(path.join(dir, 'redis-conformance.scenario.ts')).href)) as Scenario;
  await scenario.runScenario();
}

describe.skipIf(!available)('the shared conformance scenario over Redis pub/sub', () => {
  it('dot.yaml: generated code type-checks (NodeNext, strict) and passes the scenario', async () => {
    const dir = await generateScenario('conformance-redis', 'conformance/dot.yaml');
    expect(await typecheck(dir, 'NodeNext')).toBe('');
    await runScenario(dir);
  }, 120_000);

  it('slash.yaml: passes the same scenario with / separated addresses', async () => {
    await runScenario(await generateScenario('conformance-redis-slash', 'conformance/slash.yaml'));
  }, 60_000);
});
