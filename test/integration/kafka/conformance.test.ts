/**
 * The shared transport conformance scenario, generated from
 * fixtures/conformance/dot.yaml with the Kafka transport, type-checked, and
 * run against librdkafka's mock cluster.
 */
import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addScenario, fixturePath, generateInto, typecheck } from '../../support/generated.js';
import { startKafkaMock, type KafkaMock } from '../../support/kafka-mock.js';

const mock = await startKafkaMock();

describe.skipIf(mock === undefined)('conformance over Kafka', () => {
  const cluster = mock as KafkaMock;

  afterAll(async () => {
    await cluster.stop();
  }, 30_000);

  it('the generated App and Client pass the shared conformance scenario', async () => {
    const { dir } = await generateInto('conformance-kafka', fixturePath('conformance/dot.yaml'), { transports: ['kafka'] });
    addScenario(dir, 'conformance.scenario.ts');
    addScenario(dir, 'kafka-conformance.scenario.ts');
    const scenario = (await import(pathToFileURL(path.join(dir, 'kafka-conformance.scenario.ts')).href)) as {
      runScenario: (url?: string) => Promise<void>;
    };
    // tsc is CPU-bound and the scenario mostly waits for group joins: run them side by side.
    const [typeErrors] = await Promise.all([typecheck(dir, 'NodeNext'), scenario.runScenario(cluster.url)]);
    expect(typeErrors).toBe('');
  }, 90_000);
});
