/**
 * Generated code over the AMQP transport: the shared conformance scenario, and
 * interop with a plain amqplib connection (test/scenarios/amqp-conformance.scenario.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addScenario, fixturePath, generateInto, typecheck } from '../../support/generated.js';
import { brokerAvailable } from '../../support/brokers.js';

const available = await brokerAvailable('amqp');

interface AmqpScenario {
  runScenario(): Promise<void>;
  runInterop(): Promise<void>;
}

describe.skipIf(!available)('generated code over AMQP (RabbitMQ)', () => {
  let dir: string;
  let scenario: AmqpScenario;

  beforeAll(async () => {
    ({ dir } = await generateInto('conformance-amqp', fixturePath('conformance/dot.yaml'), { transports: ['amqp'] }));
    addScenario(dir, 'conformance.scenario.ts');
    addScenario(dir, 'amqp-conformance.scenario.ts');
  }, 60_000);

  it('type-checks with the AMQP transport under NodeNext and Bundler', async () => {
    const [nodeNext, bundler] = await Promise.all([typecheck(dir, 'NodeNext'), typecheck(dir, 'Bundler')]);
    expect(nodeNext).toBe('');
    expect(bundler).toBe('');
    scenario = (await import(pathToFileURL(path.join(dir, 'amqp-conformance.scenario.ts')).href)) as AmqpScenario;
  }, 60_000);

  it('passes the shared transport conformance scenario', async () => {
    await scenario.runScenario();
  }, 30_000);

  it('interoperates with a plain amqplib client both ways', async () => {
    await scenario.runInterop();
  }, 30_000);
});
