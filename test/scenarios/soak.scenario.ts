/**
 * The soak scenario: tens of thousands of mixed good and bad messages, sent
 * raw through one transport and received by the generated App on another.
 * Copied next to the code generated from fixtures/soak/soak.yaml,
 * type-checked with it, then imported by test/soak/soak.test.ts.
 */
import { createApp, eventsChannel, type OnEventEvent, type OperationError, type Transport } from './index.js';
import type { SoakOptions as SoakOptionsFor, SoakReport } from './soak-contract.js';

export type SoakOptions = SoakOptionsFor<Transport>;
export type { SoakReport };

const MAX_MESSAGE_BYTES = 2048;
const encoder = new TextEncoder();

type Shape = 'good' | 'decode' | 'validation' | 'oversize' | 'handler' | 'content-type';

/** Three in four messages are good; the rest cycle through every kind of bad. */
function shapeOf(index: number): Shape {
  switch (index % 20) {
    case 3: return 'decode';
    case 7: return 'validation';
    case 11: return 'oversize';
    case 15: return 'handler';
    case 19: return 'content-type';
    default: return 'good';
  }
}

function wire(index: number, shape: Shape): { readonly payload: Uint8Array; readonly contentType: string } {
  const json = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
  switch (shape) {
    case 'good': return { payload: json({ id: index, kind: 'good', note: `n${index}` }), contentType: 'application/json' };
    case 'decode': return { payload: encoder.encode(`{"id": ${index}, `), contentType: 'application/json' };
    case 'validation': return { payload: json({ id: -index - 1, kind: 'good' }), contentType: 'application/json' };
    case 'oversize': return { payload: json({ id: index, kind: 'good', note: 'x'.repeat(MAX_MESSAGE_BYTES) }), contentType: 'application/json' };
    case 'handler': return { payload: json({ id: index, kind: 'fail' }), contentType: 'application/json' };
    case 'content-type': return { payload: json({ id: index, kind: 'good' }), contentType: 'text/plain' };
  }
}

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const run = `s${Math.random().toString(36).slice(2, 10)}`;
  const seen = new Uint8Array(options.total);
  let handledGood = 0;
  let duplicates = 0;
  let handlerCalls = 0;
  const errors: Record<string, number> = {};
  let errorCount = 0;
  let errorsWithoutRaw = 0;
  const app = createApp({
    transport: options.receiver,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    onError: (error: OperationError) => {
      errors[error.kind] = (errors[error.kind] ?? 0) + 1;
      errorCount += 1;
      if (error.inbound === undefined) errorsWithoutRaw += 1;
    },
  });
  const subscription = await app.onEvent((event: OnEventEvent) => {
    // A failing call is counted by onError instead.
    if (event.payload.kind === 'fail') throw new Error(`event ${event.payload.id} fails by design`);
    handlerCalls += 1;
    const id = event.payload.id;
    if (seen[id] === 1) duplicates += 1;
    else handledGood += 1;
    seen[id] = 1;
  }, { params: { run } });

  const expectedErrors: Record<string, number> = {};
  let good = 0;
  for (let index = 0; index < options.total; index += 1) {
    const shape = shapeOf(index);
    if (shape === 'good') good += 1;
    else expectedErrors[shape] = (expectedErrors[shape] ?? 0) + 1;
  }

  const address = eventsChannel.build({ run });
  const started = Date.now();
  const warmUp = Math.floor(options.total / 4);
  let heapAtWarmUp = 0;
  for (let first = 0; first < options.total; first += options.window) {
    const sends: Array<Promise<void>> = [];
    for (let index = first; index < Math.min(first + options.window, options.total); index += 1) {
      const { payload, contentType } = wire(index, shapeOf(index));
      sends.push(options.publisher.publish({ address, payload, headers: {}, contentType }));
    }
    await Promise.all(sends);
    if (heapAtWarmUp === 0 && first + options.window >= warmUp) {
      await until(() => handlerCalls + errorCount >= first + options.window, 'the warm-up quarter', 60_000);
      heapAtWarmUp = options.heapAfterGc();
    }
  }
  await until(() => handlerCalls + errorCount >= options.total, 'every message handled or reported', 120_000);
  const millis = Date.now() - started;
  // Anything redelivered or duplicated would show up now.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await subscription.unsubscribe();
  const heapGrowthBytes = options.heapAfterGc() - heapAtWarmUp;
  return { good, handledGood, duplicates, errors, expectedErrors, errorsWithoutRaw, heapGrowthBytes, millis };
}
