/**
 * `npm run bench:receive-cpu`: what receiving one message costs the process, without the network.
 * nats.js' own protocol parser is fed the same `HMSG` frames (the benchmark payload and its
 * content-type header, as the server would send them) for a subscription of each receiver: raw
 * nats.js doing `JSON.parse(msg.string())`, the generated App validating (subscribed with its
 * parameter fixed, and with it free: a wildcard subject), and the App with validation off. The receivers take turns (every other round in reverse order), many rounds; the
 * table gives the fastest and the median round of each, and what each costs beyond raw nats.js.
 * On a shared machine whose speed moves, the fastest rounds compare best. Needs nats-server on
 * 127.0.0.1:4222 only to open the connections (nothing is sent through it).
 * Options: `--rounds <n>` (default 21; the first 3 warm up), `--frames <n>` (frames per chunk, 200:
 * about 55 KB, under the 64 KiB of one socket read).
 */
import os from 'node:os';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { median, option } from './common.js';
import { NATS_URL, PAYLOAD, prepareApp } from './generated-app.js';

const ROUNDS = Number(option('--rounds', '21'));
const WARM_UP_ROUNDS = 3;
const FRAMES_PER_CHUNK = Number(option('--frames', '200'));
const CHUNKS_PER_ROUND = 400;

/** The parts of nats.js' connection this benchmark drives; checked before use. */
interface ProtocolInternals {
  readonly protocol: {
    readonly parser: { parse(bytes: Uint8Array): void };
    readonly subscriptions: { readonly subs: Map<number, unknown> };
  };
}

function internalsOf(connection: NatsConnection): ProtocolInternals['protocol'] {
  const protocol = (connection as unknown as Partial<ProtocolInternals>).protocol;
  if (typeof protocol?.parser?.parse !== 'function' || !(protocol.subscriptions?.subs instanceof Map)) {
    throw new Error('this nats.js version does not have the parser and subscription map this benchmark feeds');
  }
  return protocol;
}

const SUBJECT = 'domain0/entity0/e0/event';
const HEADER_BLOCK = 'NATS/1.0\r\ncontent-type: application/json\r\n\r\n';
const BODY = JSON.stringify(PAYLOAD);

/** A chunk of frames for the connection's newest subscription, as one socket read would bring them. */
function chunkFor(connection: NatsConnection): () => Buffer {
  const protocol = internalsOf(connection);
  const sid = Math.max(...protocol.subscriptions.subs.keys());
  const frame = `HMSG ${SUBJECT} ${sid} ${HEADER_BLOCK.length} ${HEADER_BLOCK.length + BODY.length}\r\n${HEADER_BLOCK}${BODY}\r\n`;
  const text = frame.repeat(FRAMES_PER_CHUNK);
  return () => Buffer.from(text);
}

let received = 0;
const { generated, nats, remove } = await prepareApp('receive-cpu');
const receivers = new Map<string, { readonly connection: NatsConnection; readonly chunk: () => Buffer }>();
const closers: Array<() => Promise<void>> = [];
const apps = [
  { name: 'generated App (validated)', validate: 'both', params: { entityId: 'e0' } },
  { name: 'generated App (validated, wildcard subscription)', validate: 'both', params: {} },
  { name: 'generated App (--validate none)', validate: 'none', params: { entityId: 'e0' } },
] as const;
for (const { name, validate, params } of apps) {
  const transport = await nats.createNatsTransport({ url: NATS_URL });
  closers.push(() => transport.close());
  const app = generated.createApp({ transport, validate });
  await app.receiveEvent0(() => {
    received += 1;
  }, { params });
  receivers.set(name, { connection: transport.connection, chunk: chunkFor(transport.connection) });
}
const raw = await connect({ servers: NATS_URL });
closers.push(() => raw.close());
raw.subscribe(SUBJECT, {
  callback: (_error, msg) => {
    if (JSON.parse(msg.string()) !== null) received += 1;
  },
});
await raw.flush();
receivers.set('raw nats.js + JSON.parse', { connection: raw, chunk: chunkFor(raw) });

const perMessage = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round += 1) {
  const entries = [...receivers];
  for (const [name, { connection, chunk }] of round % 2 === 0 ? entries : entries.reverse()) {
    const parser = internalsOf(connection).parser;
    const chunks = Array.from({ length: CHUNKS_PER_ROUND }, chunk);
    received = 0;
    const started = process.hrtime.bigint();
    for (const bytes of chunks) parser.parse(bytes);
    const nanoseconds = Number(process.hrtime.bigint() - started);
    const messages = CHUNKS_PER_ROUND * FRAMES_PER_CHUNK;
    if (received !== messages) throw new Error(`${name} got ${received} of ${messages} messages`);
    // Timers and I/O get their turn between rounds, as between socket reads.
    await new Promise((resolve) => setImmediate(resolve));
    if (round < WARM_UP_ROUNDS) continue;
    const samples = perMessage.get(name) ?? [];
    samples.push(nanoseconds / messages);
    perMessage.set(name, samples);
  }
}
for (const close of closers) await close();
remove();

const rawFastest = Math.min(...(perMessage.get('raw nats.js + JSON.parse') ?? []));
process.stdout.write(`\n${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${CHUNKS_PER_ROUND * FRAMES_PER_CHUNK} messages of ${Buffer.byteLength(BODY)} bytes a round, ${ROUNDS - WARM_UP_ROUNDS} rounds after ${WARM_UP_ROUNDS} to warm up\n\n`);
process.stdout.write('| receiver | fastest round ns/message | median round ns/message | fastest beyond raw ns | fastest, raw / receiver |\n| --- | ---: | ---: | ---: | ---: |\n');
for (const [name, values] of perMessage) {
  const fastest = Math.min(...values);
  process.stdout.write(`| ${name} | ${fastest.toFixed(0)} | ${median(values).toFixed(0)} | ${(fastest - rawFastest).toFixed(0)} | ${((100 * rawFastest) / fastest).toFixed(0)} % |\n`);
}
