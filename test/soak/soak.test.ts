/**
 * Soak: 30 000 mixed good and bad messages (a quarter bad: not JSON, invalid,
 * oversized, wrong content type, failing in the handler) through real brokers
 * into the generated App. Every good message is handled as the protocol
 * promises, every bad one is reported with its raw message, and the heap does
 * not grow with the number of messages.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAmqpTransport } from '../../src/runtime/transports/amqp.js';
import { createNatsTransport } from '../../src/runtime/transports/nats.js';
import type { Transport } from '../../src/runtime/core/transport.js';
import type { SoakOptions, SoakReport } from '../scenarios/soak-contract.js';
import { BROKERS, brokerAvailable } from '../support/brokers.js';
import { addScenario, fixturePath, generateInto, typecheck } from '../support/generated.js';

const TOTAL = 30_000;
/**
 * Heap growth allowed between the end of the warm-up quarter and the end:
 * keeping one small object per message (22 500 messages after the warm-up,
 * a few hundred bytes each) would exceed it.
 */
const FLAT_HEAP_BYTES = 4 * 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

interface SoakScenario {
  runSoak(options: SoakOptions<Transport>): Promise<SoakReport>;
}

const available = { nats: await brokerAvailable('nats'), amqp: await brokerAvailable('amqp') };

describe.skipIf(!available.nats && !available.amqp)('soak: mixed good and bad messages through real brokers', () => {
  let scenario: SoakScenario;

  beforeAll(async () => {
    const { dir } = await generateInto('soak', fixturePath('soak/soak.yaml'), { transports: [] });
    addScenario(dir, 'soak-contract.ts');
    addScenario(dir, 'soak.scenario.ts');
    expect(await typecheck(dir, 'NodeNext')).toBe('');
    scenario = (await import(pathToFileURL(path.join(dir, 'soak.scenario.ts')).href)) as SoakScenario;
  }, 60_000);

  /** Runs the soak from one connection to another, prints its figures and checks what holds everywhere. */
  async function soak(connect: () => Promise<Transport>): Promise<SoakReport> {
    const publisher = await connect();
    const receiver = await connect();
    try {
      const report = await scenario.runSoak({ publisher, receiver, total: TOTAL, window: 500, heapAfterGc });
      expectClean(report);
      return report;
    } finally {
      await Promise.allSettled([publisher.close(), receiver.close()]);
    }
  }

  function expectClean(report: SoakReport): void {
    console.log(`soak: ${TOTAL} messages in ${report.millis} ms, heap growth ${(report.heapGrowthBytes / 1024 / 1024).toFixed(1)} MiB`);
    expect(report.errorsWithoutRaw).toBe(0);
    expect(report.heapGrowthBytes).toBeLessThan(FLAT_HEAP_BYTES);
  }

  it.skipIf(!available.amqp)('AMQP: every good message handled exactly once, every bad one reported once, none redelivered', async () => {
    const report = await soak(() => createAmqpTransport({ url: BROKERS.amqp.url }));
    expect(report.handledGood).toBe(report.good);
    expect(report.duplicates).toBe(0);
    expect(report.errors).toEqual(report.expectedErrors);
  }, 180_000);

  it.skipIf(!available.nats)('core NATS: every good message handled at most once, the rest of the good ones reported as overflow', async () => {
    const report = await soak(() => createNatsTransport({ url: BROKERS.nats.url }));
    expect(report.duplicates).toBe(0);
    // At most once: a message beyond maxPending is dropped, and reported as overflow instead.
    const { overflow = 0, ...errors } = report.errors;
    const reported = Object.values(report.errors).reduce((sum, count) => sum + count, 0);
    expect(report.handledGood + reported).toBe(TOTAL);
    expect(report.handledGood).toBeLessThanOrEqual(report.good);
    // On loopback nearly everything arrives; a run where the App handled little is a failure.
    expect(report.handledGood).toBeGreaterThanOrEqual(report.good * 0.9);
    for (const [kind, count] of Object.entries(errors)) expect(count).toBeLessThanOrEqual(report.expectedErrors[kind] ?? 0);
    if (overflow === 0) expect(errors).toEqual(report.expectedErrors);
  }, 180_000);
});
