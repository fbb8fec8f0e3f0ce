/**
 * Generated from fixtures/bindings.yaml (beside this file), copied next to the
 * generated code by documents.test.ts: the document's server and security
 * scheme choose the connection, and its bindings reach the broker.
 */
import assert from 'node:assert/strict';
import { connect, type ConsumeMessage } from 'amqplib';
import { createApp, createClient, type AnnounceSignupEvent, type ProcessSignupEvent } from './index.js';
import { createAmqpTransport } from './transports/amqp.js';

const EXCHANGE = 'asyncapi-gen.test.users';
const QUEUE = 'asyncapi-gen.test.signups';

async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function withEnv<T>(values: Record<string, string | undefined>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const apply = (entries: Record<string, string | undefined>): void => {
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(values);
  try {
    return await body();
  } finally {
    apply(saved);
  }
}

/** The first amqp server (userPassword) with env credentials, the other security schemes, and the servers the transport must refuse. */
export async function runServerSelection(): Promise<void> {
  const noUrl = { ASYNCAPI_AMQP_URL: undefined };
  await withEnv({ ...noUrl, ASYNCAPI_AMQP_USER: undefined, ASYNCAPI_AMQP_PASSWORD: undefined }, async () => {
    await assert.rejects(createAmqpTransport(), /security scheme 'user' needs a user and password.*ASYNCAPI_AMQP_USER/);
  });
  await withEnv({ ...noUrl, ASYNCAPI_AMQP_USER: 'guest', ASYNCAPI_AMQP_PASSWORD: 'guest' }, async () => {
    const transport = await createAmqpTransport();
    assert.equal(transport.url, 'amqp://127.0.0.1:5672');
    await transport.close();
  });
  await assert.rejects(createAmqpTransport({ server: 'scramOnly' }), /requires scram \(scramSha256\), which amqplib cannot do; pass the `credentials` option/);
  await assert.rejects(createAmqpTransport({ server: 'amqp10' }), /speaks AMQP 1\.0\.0; this transport speaks AMQP 0-9-1/);

  await assert.rejects(createAmqpTransport({ server: 'x509OverPlain' }), /'certificate' \(X509\) needs an amqps:\/\/ URL/);
  await withEnv({ ASYNCAPI_AMQP_CA: '/nonexistent/ca.pem' }, async () => {
    await assert.rejects(createAmqpTransport({ server: 'x509' }), /cannot read ASYNCAPI_AMQP_CA file '\/nonexistent\/ca\.pem'/);
  });

  // The first scheme the transport can speak is used: here the bearer token, sent as the PLAIN password.
  await withEnv({ ASYNCAPI_AMQP_USER: undefined, ASYNCAPI_AMQP_TOKEN: undefined }, async () => {
    await assert.rejects(createAmqpTransport({ server: 'bearer' }), /'token' \(http\) needs a token: set ASYNCAPI_AMQP_TOKEN/);
  });
  await withEnv({ ASYNCAPI_AMQP_USER: 'guest', ASYNCAPI_AMQP_TOKEN: 'guest' }, async () => {
    const transport = await createAmqpTransport({ server: 'bearer' });
    assert.equal(transport.connected, true);
    await transport.close();
  });
}

/** App -> exchange (declared from the channel binding) -> provisioned durable queue -> App's queue consumer and a plain reader. */
export async function runBindings(): Promise<void> {
  const run = `u${Math.random().toString(36).slice(2, 10)}`;
  const plain = await connect('amqp://guest:guest@127.0.0.1:5672');
  const setup = await plain.createChannel();
  // Binding a queue channel to an exchange is not expressible in AMQP bindings: operations provision it.
  await setup.assertExchange(EXCHANGE, 'topic', { durable: true, autoDelete: false });
  await setup.assertQueue(QUEUE, { durable: true, exclusive: false, autoDelete: false });
  await setup.purgeQueue(QUEUE);
  await setup.bindQueue(QUEUE, EXCHANGE, 'users.*.signedup');

  const appTransport = await withEnv({ ASYNCAPI_AMQP_URL: undefined, ASYNCAPI_AMQP_USER: 'guest', ASYNCAPI_AMQP_PASSWORD: 'guest' }, () => createAmqpTransport());
  const clientTransport = await createAmqpTransport({ url: 'amqp://guest:guest@127.0.0.1:5672' });
  const app = createApp({ transport: appTransport });
  const client = createClient({ transport: clientTransport });
  try {
    // The Client listens on the routing-key channel (its own queue bound to the exchange), the App on the queue channel.
    const announced: AnnounceSignupEvent[] = [];
    await client.announceSignup((event) => {
      announced.push(event);
    }, { params: { userId: run } });
    const processed: ProcessSignupEvent[] = [];
    await app.processSignup((event) => {
      processed.push(event);
    });

    await app.announceSignup({ params: { userId: run }, payload: { userId: run } });
    await eventually(() => announced.length === 1 && processed.length === 1, 'the signup on both channels');
    assert.equal(announced[0]?.params.userId, run);
    assert.equal(processed[0]?.payload.userId, run);
    assert.equal(processed[0]?.raw.address, QUEUE, 'a queue channel delivery reports the channel address');

    const raw = processed[0]?.raw.raw as ConsumeMessage;
    assert.equal(raw.fields.exchange, EXCHANGE);
    assert.equal(raw.fields.routingKey, `users.${run}.signedup`);
    assert.equal(raw.properties.deliveryMode, 2);
    assert.equal(raw.properties.priority, 3);
    assert.equal(raw.properties.expiration, '60000');
    assert.equal(raw.properties.type, 'user.signedup');
    assert.equal(raw.properties.contentEncoding, 'identity');
    assert.equal(raw.properties.contentType, 'application/json');
    assert.equal(typeof raw.properties.timestamp, 'number');

    // The Client sends on the queue channel: straight into the queue through the default exchange.
    await client.processSignup({ payload: { userId: `${run}-direct` } });
    await eventually(() => processed.length === 2, 'the direct queue message');
    assert.equal(processed[1]?.payload.userId, `${run}-direct`);

    // What the transport declared matches the document: redeclaring with other settings is refused.
    const probe = await plain.createChannel();
    probe.on('error', () => undefined);
    await assert.rejects(probe.assertQueue(QUEUE, { durable: false }), /PRECONDITION_FAILED/);
  } finally {
    await appTransport.close();
    await clientTransport.close();
    const cleanup = await plain.createChannel();
    await cleanup.deleteQueue(QUEUE);
    await cleanup.deleteExchange(EXCHANGE);
    await plain.close();
  }
}
