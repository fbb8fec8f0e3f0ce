/**
 * `npm run bench:throughput` (also run at the end of `npm run bench`): messages per second through
 * the generated App over NATS (validation on), against the raw nats.js client moving the same
 * bytes on the same subject, for publishing and for receiving. The same bytes: the App sends every
 * JSON message with its `content-type` header, so the raw client sends that header too, and the
 * receive tests' publisher sends it to both receivers. Two raw baselines: bytes encoded once and
 * published again and again (what no application that sends values can do), and the raw client
 * doing the work an application does per message (JSON.stringify and publish, or JSON.parse on
 * receipt); the target is measured against the second. Needs nats-server on 127.0.0.1:4222.
 * Prints a Markdown table.
 * Options: `--messages <n>` (default 200 000), `--runs <n>` (default 5),
 * `--validate none` (to see what validation costs; the target is measured with `both`),
 * `--only <text>` (only the cases whose name contains it, for profiling).
 */
import os from 'node:os';
import { connect, headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { median, option } from './common.js';
import { NATS_URL, PAYLOAD, prepareApp, type GeneratedApp } from './generated-app.js';

const MESSAGES = Number(option('--messages', '200000'));
/** Runs only the cases whose name contains this (for profiling one path). */
const ONLY = option('--only', '');
const RUNS = Number(option('--runs', '5'));
/** Publishes issued before yielding to the event loop, for both sides alike. */
const CHUNK = 1000;

async function timed(run: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return MESSAGES / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** The header the generated App sends with every JSON message: the same bytes on the wire need it. */
const CONTENT_TYPE: MsgHdrs = headers();
CONTENT_TYPE.set('content-type', 'application/json');

async function publishRaw(nc: NatsConnection, subject: string, bytes: Uint8Array): Promise<void> {
  for (let sent = 0; sent < MESSAGES; sent += CHUNK) {
    for (let index = 0; index < CHUNK; index += 1) nc.publish(subject, bytes, { headers: CONTENT_TYPE });
    await Promise.resolve();
  }
  await nc.flush();
}

/** What a raw nats.js user sending this payload writes: stringify, then publish with the content type. */
async function publishRawJson(nc: NatsConnection, subject: string): Promise<void> {
  for (let sent = 0; sent < MESSAGES; sent += CHUNK) {
    for (let index = 0; index < CHUNK; index += 1) nc.publish(subject, JSON.stringify(PAYLOAD), { headers: CONTENT_TYPE });
    await Promise.resolve();
  }
  await nc.flush();
}

async function publishGenerated(app: GeneratedApp, nc: NatsConnection, entityId: string): Promise<void> {
  for (let sent = 0; sent < MESSAGES; sent += CHUNK) {
    const sends: Array<Promise<void>> = [];
    for (let index = 0; index < CHUNK; index += 1) sends.push(app.sendEvent0({ params: { entityId }, payload: PAYLOAD }));
    await Promise.all(sends);
  }
  await nc.flush();
}

async function receiveCount(subscribe: (onMessage: () => void) => Promise<() => Promise<void>>, publisher: NatsConnection, subject: string, bytes: Uint8Array): Promise<void> {
  let received = 0;
  let done = (): void => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const stop = await subscribe(() => {
    received += 1;
    if (received === MESSAGES) done();
  });
  await publishRaw(publisher, subject, bytes);
  await finished;
  await stop();
}

const { generated, nats, validators, remove } = await prepareApp('throughput');

/** Nanoseconds per call of the generated validator on the payload (after warm-up). */
function validationNanoseconds(): number {
  if (validators.validatePayload0(PAYLOAD).length > 0) throw new Error('the benchmark payload is not valid');
  for (let index = 0; index < 100_000; index += 1) validators.validatePayload0(PAYLOAD);
  const calls = 1_000_000;
  const started = process.hrtime.bigint();
  for (let index = 0; index < calls; index += 1) validators.validatePayload0(PAYLOAD);
  return Number(process.hrtime.bigint() - started) / calls;
}
const validationNs = ONLY === '' ? median(Array.from({ length: RUNS }, validationNanoseconds)) : NaN;
const appTransport = await nats.createNatsTransport({ url: NATS_URL });
const VALIDATE = option('--validate', 'both') === 'none' ? 'none' : 'both';
const app = generated.createApp({ transport: appTransport, validate: VALIDATE });
const raw = await connect({ servers: NATS_URL });
const publisher = await connect({ servers: NATS_URL });
const bytes = new TextEncoder().encode(JSON.stringify(PAYLOAD));

const results: Record<string, number[]> = {};
for (let run = 0; run < RUNS; run += 1) {
  const entityId = `e${run}`;
  const subject = `domain0/entity0/${entityId}/event`;
  const cases: Record<string, () => Promise<void>> = {
    'publish, raw nats.js': () => publishRaw(raw, subject, bytes),
    'publish, raw nats.js + JSON.stringify': () => publishRawJson(raw, subject),
    'publish, generated App (validated)': () => publishGenerated(app, appTransport.connection, entityId),
    'receive, raw nats.js': () => receiveCount(async (onMessage) => {
      const sub = raw.subscribe(subject, { callback: () => onMessage() });
      await raw.flush();
      return async () => sub.unsubscribe();
    }, publisher, subject, bytes),
    'receive, raw nats.js + JSON.parse': () => receiveCount(async (onMessage) => {
      const sub = raw.subscribe(subject, { callback: (_error, msg) => {
        if (msg !== undefined && JSON.parse(msg.string()) !== null) onMessage();
      } });
      await raw.flush();
      return async () => sub.unsubscribe();
    }, publisher, subject, bytes),
    'receive, generated App (validated)': () => receiveCount(async (onMessage) => {
      const subscription = await app.receiveEvent0(() => onMessage(), { params: { entityId } });
      return () => subscription.unsubscribe();
    }, publisher, subject, bytes),
  };
  // Every other run in reverse order: a case pays for the garbage the one before it left, and
  // alternating spreads that over all cases instead of always charging the same one.
  const ordered = run % 2 === 0 ? Object.entries(cases) : Object.entries(cases).reverse();
  for (const [name, measure] of ordered) {
    if (name.includes(ONLY)) (results[name] ??= []).push(await timed(measure));
  }
}
await Promise.all([appTransport.close(), raw.close(), publisher.close()]);

const rate = (name: string): number => median(results[name] ?? []);
const rows = [
  ['publish', 'publish, raw nats.js', 'publish, raw nats.js + JSON.stringify', 'publish, generated App (validated)'],
  ['receive', 'receive, raw nats.js', 'receive, raw nats.js + JSON.parse', 'receive, generated App (validated)'],
] as const;
/**
 * The ratio of two cases, as the median of the ratios within each run: the cases of one run are
 * measured back to back, so the machine's drift between runs (other load) cancels out.
 */
const ratio = (part: string, whole: string): string => {
  const parts = results[part] ?? [];
  const wholes = results[whole] ?? [];
  const perRun = parts.map((value, index) => value / (wholes[index] ?? NaN));
  return `${(100 * median(perRun)).toFixed(0)} %`;
};
process.stdout.write(`\n${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${MESSAGES} messages of ${bytes.length} bytes, median of ${RUNS} runs (ratios: median of the per-run ratios)\n\n`);
process.stdout.write(`Validating the payload (ten properties, a uuid and a date-time): ${validationNs.toFixed(0)} ns per call.\n`);
process.stdout.write(`The generated App validates: ${VALIDATE === 'both' ? 'both directions' : 'nothing (--validate none)'}.\n\n`);
process.stdout.write('Every case moves the same bytes: the JSON payload and a `content-type: application/json` header.\n\n');
process.stdout.write('| direction | raw nats.js, bytes encoded once msg/s | raw nats.js, JSON per message msg/s | generated App msg/s | App / raw, bytes encoded once | App / raw, JSON per message (target >= 90 %) |\n| --- | ---: | ---: | ---: | ---: | ---: |\n');
for (const [direction, rawName, rawJsonName, generatedName] of rows) {
  const generatedRate = rate(generatedName);
  process.stdout.write(`| ${direction} | ${rate(rawName).toFixed(0)} | ${rate(rawJsonName).toFixed(0)} | ${generatedRate.toFixed(0)} | ${ratio(generatedName, rawName)} | ${ratio(generatedName, rawJsonName)} |\n`);
}
remove();
