/**
 * Generated code over the MQTT transport against Mosquitto: the shared
 * conformance scenario, and interop with a plain mqtt.js client both ways
 * (test/scenarios/mqtt-conformance.scenario.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addScenario, fixturePath, generateInto, typecheck } from '../../support/generated.js';
import { brokerAvailable } from '../../support/brokers.js';
import { MQTT_URL } from './helpers.js';

const available = await brokerAvailable('mqtt');

interface MqttScenario {
  runScenario(url?: string, options?: { readonly protocolVersion?: 3 | 4 | 5 }): Promise<void>;
  runInterop(url?: string): Promise<void>;
}

describe.skipIf(!available)('generated code over MQTT (Mosquitto)', () => {
  let dir: string;
  let scenario: MqttScenario;

  beforeAll(async () => {
    ({ dir } = await generateInto('conformance-mqtt', fixturePath('conformance/slash.yaml'), { transports: ['mqtt'] }));
    addScenario(dir, 'conformance.scenario.ts');
    addScenario(dir, 'mqtt-conformance.scenario.ts');
  }, 60_000);

  // Generous timeouts: tsc checks every declaration file (skipLibCheck off), ~10 s each on an idle machine.
  it('type-checks with the MQTT transport under NodeNext', async () => {
    expect(await typecheck(dir, 'NodeNext')).toBe('');
    scenario = (await import(pathToFileURL(path.join(dir, 'mqtt-conformance.scenario.ts')).href)) as MqttScenario;
  }, 120_000);

  it('type-checks with the MQTT transport under Bundler', async () => {
    expect(await typecheck(dir, 'Bundler')).toBe('');
  }, 120_000);

  it('passes the shared transport conformance scenario (MQTT 5)', async () => {
    await scenario.runScenario(MQTT_URL);
  }, 30_000);

  it('interoperates with a plain mqtt.js client both ways, request/reply included', async () => {
    await scenario.runInterop(MQTT_URL);
  }, 30_000);
});
