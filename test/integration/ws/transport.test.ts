/**
 * The WebSocket transport on loopback: the server role is the hub, client-role
 * transports and plain `ws` sockets connect to it. Wire format, addresses and
 * wildcards, relaying, request/reply, lifecycle, bindings and credentials.
 * No external broker is involved, so nothing is skipped.
 */
import { once } from 'node:events';
import http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { patternFor } from '../../../src/runtime/core/address.js';
import type { InboundMessage, MessageBindings } from '../../../src/runtime/core/transport.js';
import {
  createWebSocketTransport,
  WEBSOCKET_ENVELOPE_PREFIX,
  type WebSocketRawMessage,
  type WebSocketTransport,
} from '../../../src/runtime/transports/ws.js';
import {
  bytes,
  collect,
  deferred,
  eventually,
  message,
  plainPeer,
  plainSend,
  sleep,
  startClient,
  startServer,
  text,
  uniquePrefix,
  type PlainPeer,
} from './helpers.js';

// Generous: the machine is shared and loaded; nothing here waits for a timeout on purpose.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function server(options: Parameters<typeof startServer>[0] = {}): Promise<WebSocketTransport> {
  const transport = await startServer(options);
  cleanups.push(() => transport.close());
  return transport;
}

async function client(hub: WebSocketTransport, options: Parameters<typeof startClient>[1] = {}): Promise<WebSocketTransport> {
  const transport = await startClient(hub, options);
  cleanups.push(() => transport.close());
  return transport;
}

async function peer(url: string, protocols: string[] = []): Promise<PlainPeer> {
  const opened = await plainPeer(url, protocols);
  cleanups.push(() => opened.close());
  return opened;
}

const readingsTemplate = (prefix: string): string => `${prefix}/{run}/{sensorId}/readings`;

describe('ws transport: wire format', () => {
  it('sends a message without headers as its bare payload in a text frame', async () => {
    const hub = await server();
    const address = `${uniquePrefix('bare')}/a`;
    const plain = await peer(`${hub.url}/${address}`);
    await hub.publish(message(address, '{"value":1}', { contentType: 'application/json' }));
    await eventually(() => plain.frames.length === 1, 'the frame');
    expect(plain.frames[0]?.binary).toBe(false);
    expect(plain.frames[0]?.data.toString('utf8')).toBe('{"value":1}');
  });

  it('sends binary content types and non-UTF-8 bytes as binary frames, bytes unchanged', async () => {
    const hub = await server();
    const address = `${uniquePrefix('binary')}/a`;
    const plain = await peer(`${hub.url}/${address}`);
    const payload = new Uint8Array([0, 255, 1, 128, 10]);
    await hub.publish({ address, payload, headers: {}, contentType: 'application/octet-stream' });
    await hub.publish({ address, payload: bytes('text'), headers: {}, contentType: 'application/octet-stream' });
    await eventually(() => plain.frames.length === 2, 'two frames');
    expect(plain.frames.map((frame) => frame.binary)).toEqual([true, true]);
    expect([...(plain.frames[0]?.data ?? [])]).toEqual([0, 255, 1, 128, 10]);
  });

  it('puts headers, content type and key in the envelope line and leaves the payload bytes as they are', async () => {
    const hub = await server();
    const address = `${uniquePrefix('envelope')}/a`;
    const plain = await peer(`${hub.url}/${address}`);
    await hub.publish(message(address, '{"kind":"reading"}', { headers: { unit: 'celsius' }, contentType: 'application/json', key: 'k1' }));
    await eventually(() => plain.frames.length === 1, 'the frame');
    const frame = plain.frames[0]?.data.toString('utf8') ?? '';
    const newline = frame.indexOf('\n');
    expect(frame.startsWith(WEBSOCKET_ENVELOPE_PREFIX)).toBe(true);
    expect(JSON.parse(frame.slice(WEBSOCKET_ENVELOPE_PREFIX.length, newline))).toEqual({
      headers: { unit: 'celsius' },
      contentType: 'application/json',
      key: 'k1',
    });
    expect(frame.slice(newline + 1)).toBe('{"kind":"reading"}');
  });

  it('round-trips headers, content type and payload between two transports', async () => {
    const hub = await server();
    const address = `${uniquePrefix('roundtrip')}/a`;
    const receiver = await client(hub);
    const { received } = await collect(receiver, patternFor(address, undefined));
    await hub.publish(message(address, 'plain text', { headers: { a: '1', 'x-b': 'two words' }, contentType: 'text/plain' }));
    await eventually(() => received.length === 1, 'the message');
    expect(received[0]?.address).toBe(address);
    expect(received[0]?.headers).toEqual({ a: '1', 'x-b': 'two words' });
    expect(received[0]?.contentType).toBe('text/plain');
    expect(text(received[0]?.payload ?? new Uint8Array())).toBe('plain text');
  });

  it('envelopes a bare payload that starts like an envelope, so it reads back unchanged', async () => {
    const hub = await server();
    const address = `${uniquePrefix('prefix')}/a`;
    const receiver = await client(hub);
    const { received } = await collect(receiver, patternFor(address, undefined));
    const tricky = `${WEBSOCKET_ENVELOPE_PREFIX}{"headers":{"forged":"yes"}}\nbody`;
    await hub.publish(message(address, tricky));
    await eventually(() => received.length === 1, 'the message');
    expect(text(received[0]?.payload ?? new Uint8Array())).toBe(tricky);
    expect(received[0]?.headers).toEqual({});
  });

  it('delivers a frame that only looks like an envelope as a bare payload', async () => {
    const hub = await server();
    const address = `${uniquePrefix('malformed')}/a`;
    const { received } = await collect(hub, patternFor(address, undefined));
    const plain = await peer(`${hub.url}/${address}`);
    await plainSend(plain.socket, `${WEBSOCKET_ENVELOPE_PREFIX}{not json}\nbody`);
    await plainSend(plain.socket, `${WEBSOCKET_ENVELOPE_PREFIX}{"headers":{"n":1}}\nbody`);
    await eventually(() => received.length === 2, 'two messages');
    expect(received.map((inbound) => inbound.headers)).toEqual([{}, {}]);
    expect(text(received[0]?.payload ?? new Uint8Array())).toContain('{not json}');
  });
});

describe('ws transport: addresses and wildcards', () => {
  it('server role: free parameters match any value, fixed ones only theirs', async () => {
    const hub = await server();
    const prefix = uniquePrefix('server-wild');
    const template = readingsTemplate(prefix);
    const all = await collect(hub, patternFor(template, undefined));
    const runA = await collect(hub, patternFor(template, { run: 'a' }));
    const exact = await collect(hub, patternFor(template, { run: 'a', sensorId: 's/1' }));
    const sender = await client(hub);
    await sender.publish(message(`${prefix}/a/s1/readings`, '1'));
    await sender.publish(message(`${prefix}/b/s2/readings`, '2'));
    await sender.publish(message(`${prefix}/a/s%2F1/readings`, '3'));
    await sender.publish(message(`${prefix}/a/s1/other`, 'not a reading'));
    await eventually(() => all.received.length === 3 && runA.received.length === 2 && exact.received.length === 1, 'deliveries');
    await sleep(100);
    expect(all.received.map((inbound) => text(inbound.payload)).sort()).toEqual(['1', '2', '3']);
    expect(runA.received.map((inbound) => text(inbound.payload)).sort()).toEqual(['1', '3']);
    expect(exact.received.map((inbound) => inbound.address)).toEqual([`${prefix}/a/s%2F1/readings`]);
  });

  it('client role: a free parameter opens a pattern socket that gets every matching address', async () => {
    const hub = await server();
    const prefix = uniquePrefix('client-wild');
    const template = readingsTemplate(prefix);
    const receiver = await client(hub);
    const runA = await collect(receiver, patternFor(template, { run: 'a' }));
    const everything = await collect(receiver, patternFor(template, undefined));
    const exact = await collect(receiver, patternFor(template, { run: 'a', sensorId: 'x y' }));
    expect(hub.webSocketServer?.clients.size).toBe(3);
    await hub.publish(message(`${prefix}/a/s1/readings`, '1'));
    await hub.publish(message(`${prefix}/b/s1/readings`, '2'));
    await hub.publish(message(`${prefix}/a/x%20y/readings`, '3'));
    await eventually(() => runA.received.length === 2 && everything.received.length === 3 && exact.received.length === 1, 'deliveries');
    await sleep(100);
    expect(runA.received.map((inbound) => inbound.address)).toEqual([`${prefix}/a/s1/readings`, `${prefix}/a/x%20y/readings`]);
    expect(everything.received).toHaveLength(3);
    expect(exact.received.map((inbound) => text(inbound.payload))).toEqual(['3']);
  });

  it('client role: a value holding %, { or } is a value, never a wildcard', async () => {
    const hub = await server();
    const prefix = uniquePrefix('braces');
    const template = readingsTemplate(prefix);
    const receiver = await client(hub);
    const braces = await collect(receiver, patternFor(template, { run: '{sensorId}' }));
    await hub.publish(message(`${prefix}/%7BsensorId%7D/s1/readings`, 'mine'));
    await hub.publish(message(`${prefix}/other/s1/readings`, 'not mine'));
    await eventually(() => braces.received.length === 1, 'the message');
    await sleep(100);
    expect(braces.received.map((inbound) => text(inbound.payload))).toEqual(['mine']);
  });

  it('matches templates written with a leading slash', async () => {
    const hub = await server();
    const prefix = uniquePrefix('slash');
    const receiver = await client(hub);
    const { received } = await collect(receiver, patternFor(`/${prefix}/{room}`, undefined));
    const serverSide = await collect(hub, patternFor(`/${prefix}/{room}`, undefined));
    await hub.publish(message(`/${prefix}/lobby`, 'hi'));
    await eventually(() => received.length === 1 && serverSide.received.length === 1, 'both deliveries');
    expect(received[0]?.address).toBe(`/${prefix}/lobby`);
  });

  it('refuses addresses that are not URL paths, and dot segments that URLs would collapse', async () => {
    const hub = await server();
    const sender = await client(hub);
    await expect(sender.publish(message('rooms/a b'))).rejects.toThrow(/not a URL path/);
    await expect(sender.publish(message('rooms/%2E%2E/admin'))).rejects.toThrow(/collapse/);
    await expect(sender.publish(message('rooms/./x'))).rejects.toThrow(/collapse/);
    await expect(sender.subscribe(patternFor('rooms/{id}?x', undefined), async () => 'ack')).rejects.toThrow(/not a URL path/);
  });

  it('a wildcard subscription fails clearly against a server that is not asyncapi-gen', async () => {
    const httpServer = http.createServer();
    const plainServer = new WebSocketServer({ server: httpServer });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      plainServer.close();
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    });
    const port = (httpServer.address() as { port: number }).port;
    const transport = await createWebSocketTransport({ url: `ws://127.0.0.1:${port}` });
    cleanups.push(() => transport.close());
    await expect(transport.subscribe(patternFor('rooms/{id}', undefined), async () => 'ack')).rejects.toThrow(/does not serve wildcard subscriptions/);
    // A fixed address works against any server.
    const fixed = await transport.subscribe(patternFor('rooms/{id}', { id: 'a' }), async () => 'ack');
    await fixed.unsubscribe();
  });

  it('serves under the URL path of the server and answers 404 elsewhere and 426 to plain HTTP', async () => {
    const hub = await createWebSocketTransport({ role: 'server', url: 'ws://127.0.0.1:0/api/v1' });
    cleanups.push(() => hub.close());
    expect(hub.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    const { received } = await collect(hub, patternFor('rooms/{id}', undefined));
    const sender = await client(hub);
    await sender.publish(message('rooms/a', 'under the base path'));
    await eventually(() => received.length === 1, 'the message');
    expect(received[0]?.address).toBe('rooms/a');
    const { port } = hub.address();
    await expect(plainPeer(`ws://127.0.0.1:${port}/rooms/a`)).rejects.toThrow(/404/);
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/rooms/a`);
    expect(response.status).toBe(426);
  });
});

describe('ws transport: the server is the hub', () => {
  it('relays a client message to the other sockets on matching paths, never back to the sender', async () => {
    const hub = await server();
    const prefix = uniquePrefix('relay');
    const address = `${prefix}/room`;
    const sender = await client(hub);
    const senderOwn = await collect(sender, patternFor(address, undefined));
    const other = await client(hub);
    const otherPattern = await collect(other, patternFor(`${prefix}/{room}`, undefined));
    const plain = await peer(`${hub.url}/${address}`);
    const serverSide = await collect(hub, patternFor(address, undefined));
    await sender.publish(message(address, '{"n":1}'));
    await eventually(() => otherPattern.received.length === 1 && plain.frames.length === 1 && serverSide.received.length === 1, 'relayed');
    await sleep(150);
    expect(senderOwn.received).toHaveLength(0);
    expect(plain.frames[0]?.data.toString()).toBe('{"n":1}');
    expect(otherPattern.received[0]?.address).toBe(address);
  });

  it('relays nothing between clients with relay: false', async () => {
    const hub = await server({ relay: false });
    const address = `${uniquePrefix('norelay')}/room`;
    const listener = await client(hub);
    const { received } = await collect(listener, patternFor(address, undefined));
    const serverSide = await collect(hub, patternFor(address, undefined));
    const sender = await client(hub);
    await sender.publish(message(address));
    await eventually(() => serverSide.received.length === 1, 'the server got it');
    await sleep(150);
    expect(received).toHaveLength(0);
  });

  it('delivers what the server publishes to its own matching subscriptions too', async () => {
    const hub = await server();
    const address = `${uniquePrefix('loopback')}/a`;
    const { received } = await collect(hub, patternFor(address, undefined));
    await hub.publish(message(address, 'self', { headers: { h: 'v' } }));
    await eventually(() => received.length === 1, 'the message');
    expect(received[0]?.headers).toEqual({ h: 'v' });
  });

  it('shares deliveries round-robin among the server subscriptions of one queue group', async () => {
    const hub = await server();
    const address = `${uniquePrefix('group')}/jobs`;
    const first: string[] = [];
    const second: string[] = [];
    await hub.subscribe(patternFor(address, undefined), async (inbound) => (first.push(text(inbound.payload)), 'ack'), { queueGroup: 'workers' });
    await hub.subscribe(patternFor(address, undefined), async (inbound) => (second.push(text(inbound.payload)), 'ack'), { queueGroup: 'workers' });
    const sender = await client(hub);
    for (let index = 0; index < 4; index += 1) await sender.publish(message(address, String(index)));
    await eventually(() => first.length + second.length === 4, 'four jobs');
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(2);
  });

  it('refuses queue groups on the client role', async () => {
    const hub = await server();
    const sender = await client(hub);
    await expect(sender.subscribe(patternFor('jobs', undefined), async () => 'ack', { queueGroup: 'g' })).rejects.toThrow(/queue group/);
  });
});

describe('ws transport: request/reply', () => {
  it('client asks, a server subscription answers on the same socket', async () => {
    const hub = await server();
    const prefix = uniquePrefix('ask-server');
    await hub.subscribe(patternFor(`${prefix}/{id}`, undefined), async (inbound) => {
      await inbound.reply?.({ payload: bytes(`echo ${text(inbound.payload)}`), headers: { answered: inbound.address }, contentType: 'text/plain' });
      return 'ack';
    });
    const asker = await client(hub);
    const reply = await asker.request(message(`${prefix}/q1`, 'ping', { correlationId: 'c-1' }), { timeoutMs: 5000 });
    expect(text(reply.payload)).toBe('echo ping');
    expect(reply.headers).toEqual({ answered: `${prefix}/q1` });
    expect(reply.correlationId).toBe('c-1');
    expect(reply.contentType).toBe('text/plain');
  });

  it('server asks, a client subscription answers', async () => {
    const hub = await server();
    const address = `${uniquePrefix('ask-client')}/questions`;
    const answerer = await client(hub);
    await answerer.subscribe(patternFor(address, undefined), async (inbound) => {
      expect(inbound.reply).toBeDefined();
      await inbound.reply?.({ payload: bytes(text(inbound.payload).toUpperCase()), headers: {} });
      return 'ack';
    });
    const reply = await hub.request(message(address, 'hello'), { timeoutMs: 5000 });
    expect(text(reply.payload)).toBe('HELLO');
  });

  it('client asks, another client answers through the hub', async () => {
    const hub = await server();
    const prefix = uniquePrefix('ask-relay');
    const answerer = await client(hub);
    await answerer.subscribe(patternFor(`${prefix}/{id}`, undefined), async (inbound) => {
      await inbound.reply?.({ payload: bytes(`from peer: ${text(inbound.payload)}`), headers: {} });
      return 'ack';
    });
    const asker = await client(hub);
    const reply = await asker.request(message(`${prefix}/x`, 'hi'), { timeoutMs: 5000 });
    expect(text(reply.payload)).toBe('from peer: hi');
  });

  it('a plain subscriber gets no reply function for a message that asks for none', async () => {
    const hub = await server();
    const address = `${uniquePrefix('no-reply')}/a`;
    const { received } = await collect(hub, patternFor(address, undefined));
    const sender = await client(hub);
    await sender.publish(message(address));
    await eventually(() => received.length === 1, 'the message');
    expect(received[0]?.reply).toBeUndefined();
  });

  it('times out without a responder, and honours an abort signal', async () => {
    const hub = await server();
    const asker = await client(hub);
    const address = `${uniquePrefix('timeout')}/nobody`;
    const started = Date.now();
    await expect(asker.request(message(address), { timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await expect(hub.request(message(address), { timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' });

    const controller = new AbortController();
    const pending = asker.request(message(address), { timeoutMs: 5000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('changed my mind')), 50);
    await expect(pending).rejects.toThrow('changed my mind');
    await expect(asker.request(message(address), { timeoutMs: 5000, signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
    await expect(asker.request(message(address), { timeoutMs: -1 })).rejects.toThrow(RangeError);
  });
});

describe('ws transport: subscriptions and lifecycle', () => {
  it('unsubscribe stops deliveries on both roles and is idempotent', async () => {
    const hub = await server();
    const prefix = uniquePrefix('unsub');
    const address = `${prefix}/a`;
    const receiver = await client(hub);
    // Built from the prefix: cutting the address at "/a" broke whenever the random part began with "a".
    const clientSide = await collect(receiver, patternFor(`${prefix}/{x}`, undefined));
    const serverSide = await collect(hub, patternFor(address, undefined));
    const sender = await client(hub);
    // One message, which reaches both sides (the hub's own handler and the other client). Publishing
    // one from each role would give each side two, and waiting for exactly one raced the second.
    await sender.publish(message(address, 'one'));
    await eventually(() => clientSide.received.length === 1 && serverSide.received.length === 1, 'first deliveries');
    await sleep(100);
    expect([clientSide.received.length, serverSide.received.length]).toEqual([1, 1]);
    await clientSide.unsubscribe();
    await clientSide.unsubscribe();
    await serverSide.unsubscribe();
    await serverSide.unsubscribe();
    await hub.publish(message(address, 'two'));
    await sender.publish(message(address, 'two'));
    await sleep(200);
    expect(clientSide.received).toHaveLength(1);
    expect(serverSide.received).toHaveLength(1);
  });

  it('runs handlers of one subscription one at a time, in order; maxInFlight raises that', async () => {
    const hub = await server();
    const address = `${uniquePrefix('order')}/a`;
    const sequentialClient = await client(hub);
    const parallelClient = await client(hub, { maxInFlight: 3 });
    const track = (transport: WebSocketTransport) => {
      const state = { running: 0, peak: 0, order: [] as string[] };
      return transport
        .subscribe(patternFor(address, undefined), async (inbound) => {
          state.running += 1;
          state.peak = Math.max(state.peak, state.running);
          await sleep(30);
          state.order.push(text(inbound.payload));
          state.running -= 1;
          return 'ack';
        })
        .then(() => state);
    };
    const sequential = await track(sequentialClient);
    const parallel = await track(parallelClient);
    for (let index = 0; index < 6; index += 1) await hub.publish(message(address, String(index)));
    await eventually(() => sequential.order.length === 6 && parallel.order.length === 6, 'all handled');
    expect(sequential.peak).toBe(1);
    expect(sequential.order).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(parallel.peak).toBe(3);
  });

  it('close() waits for an in-flight handler, which may still reply; then everything is refused', async () => {
    const hub = await server();
    const address = `${uniquePrefix('drain')}/a`;
    const receiver = await startClient(hub);
    const started = deferred();
    const release = deferred();
    let finished = false;
    await receiver.subscribe(patternFor(address, undefined), async (inbound) => {
      started.resolve();
      await release.promise;
      await inbound.reply?.({ payload: bytes('late answer'), headers: {} });
      finished = true;
      return 'ack';
    });
    const answer = hub.request(message(address, 'q'), { timeoutMs: 5000 });
    await started.promise;
    let closed = false;
    const closing = receiver.close().then(() => {
      closed = true;
    });
    await sleep(100);
    expect(closed).toBe(false);
    release.resolve();
    await closing;
    expect(finished).toBe(true);
    expect(text((await answer).payload)).toBe('late answer');
    await expect(receiver.publish(message(address))).rejects.toThrow(/closed/);
    await expect(receiver.subscribe(patternFor(address, undefined), async () => 'ack')).rejects.toThrow(/closed/);
    await expect(receiver.request(message(address), { timeoutMs: 100 })).rejects.toThrow(/closed/);
    await receiver.close();
  });

  it('close() rejects pending requests and closes the server with its sockets', async () => {
    const hub = await startServer();
    const asker = await startClient(hub);
    const pending = expect(asker.request(message(`${uniquePrefix('pending')}/a`), { timeoutMs: 10_000 })).rejects.toThrow(/closed/);
    const serverPending = expect(hub.request(message(`${uniquePrefix('pending')}/b`), { timeoutMs: 10_000 })).rejects.toThrow(/closed/);
    await sleep(50);
    await asker.close();
    await pending;
    const plain = await plainPeer(`${hub.url}/${uniquePrefix('pending')}/c`);
    const plainClosed = once(plain.socket, 'close');
    const { port } = hub.address();
    await hub.close();
    await serverPending;
    await plainClosed;
    await expect(hub.publish(message('a'))).rejects.toThrow(/closed/);
    await expect(plainPeer(`ws://127.0.0.1:${port}/a`)).rejects.toThrow();
  });

  it("'reject' is final: the message is not redelivered and later messages still arrive; a throwing handler too", async () => {
    const hub = await server();
    const address = `${uniquePrefix('reject')}/a`;
    const receiver = await client(hub);
    const seen: string[] = [];
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    cleanups.push(async () => logged.mockRestore());
    await receiver.subscribe(patternFor(address, undefined), async (inbound) => {
      const body = text(inbound.payload);
      seen.push(body);
      if (body === 'bad') return 'reject';
      if (body === 'throw') throw new Error('handler bug');
      return 'ack';
    });
    for (const body of ['bad', 'throw', 'good']) await hub.publish(message(address, body));
    await eventually(() => seen.includes('good'), 'the good message');
    await sleep(150);
    expect(seen).toEqual(['bad', 'throw', 'good']);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('handler for'), expect.objectContaining({ message: 'handler bug' }));
  });
});

describe('ws transport: bindings and credentials', () => {
  const channelBinding = (binding: Record<string, unknown>): MessageBindings => ({ channel: { ws: binding } });

  it('sends the ws channel binding query and headers: options first, then const, and defaults of required ones', async () => {
    const hub = await server();
    const address = `${uniquePrefix('binding')}/a`;
    const { received } = await collect(hub, patternFor(address, undefined));
    const sender = await client(hub, { query: { token: 't-1' }, headers: { 'x-tenant': 'acme' } });
    const bindings = channelBinding({
      method: 'GET',
      query: {
        type: 'object',
        required: ['token', 'format'],
        properties: { token: { type: 'string' }, format: { type: 'string', default: 'json' }, level: { type: 'integer', default: 3 } },
      },
      headers: { type: 'object', required: ['X-Tenant'], properties: { 'X-Tenant': { type: 'string' }, 'X-Version': { const: 2 } } },
    });
    await sender.publish(message(address), { bindings });
    await eventually(() => received.length === 1, 'the message');
    const request = (received[0]?.raw as WebSocketRawMessage).request;
    const url = new URL(request?.url ?? '', 'ws://x');
    expect(url.searchParams.get('token')).toBe('t-1');
    expect(url.searchParams.get('format')).toBe('json');
    expect(url.searchParams.has('level')).toBe(false); // an optional default is the server's to assume
    expect(request?.headers['x-tenant']).toBe('acme');
    expect(request?.headers['x-version']).toBe('2');
  });

  it('refuses to connect without a required binding value', async () => {
    const hub = await server();
    const sender = await client(hub);
    const bindings = channelBinding({ query: { type: 'object', required: ['token'], properties: { token: { type: 'string' } } } });
    await expect(sender.publish(message(`${uniquePrefix('required')}/a`), { bindings })).rejects.toThrow(/requires the query parameter "token"/);
    await expect(sender.subscribe(patternFor('x/{y}', undefined), async () => 'ack', { bindings })).rejects.toThrow(/token/);
  });

  it('sends URL credentials as Basic authorization; verifyClient can refuse the handshake', async () => {
    const hub = await server({
      verifyClient: ({ req }: { req: http.IncomingMessage }) => req.headers.authorization === `Basic ${Buffer.from('ann:s3cret').toString('base64')}`,
    });
    const address = `${uniquePrefix('auth')}/a`;
    const { received } = await collect(hub, patternFor(address, undefined));
    const { port } = hub.address();
    const allowed = await createWebSocketTransport({ url: `ws://ann:s3cret@127.0.0.1:${port}` });
    cleanups.push(() => allowed.close());
    await allowed.publish(message(address));
    await eventually(() => received.length === 1, 'the message');
    const refused = await createWebSocketTransport({ url: `ws://ann:wrong@127.0.0.1:${port}` });
    cleanups.push(() => refused.close());
    await expect(refused.publish(message(address))).rejects.toThrow(/401/);
  });

  it('gives the server handler the peer socket and its handshake request in raw', async () => {
    const hub = await server();
    const address = `${uniquePrefix('raw')}/a`;
    const received: InboundMessage[] = [];
    await hub.subscribe(patternFor(address, undefined), async (inbound) => (received.push(inbound), 'ack'));
    const plain = await peer(`${hub.url}/${address}?who=plain`);
    await plainSend(plain.socket, 'x');
    await eventually(() => received.length === 1, 'the message');
    const raw = received[0]?.raw as WebSocketRawMessage;
    expect(raw.request?.url).toContain('who=plain');
    expect(raw.socket).toBeDefined();
    expect(raw.data.toString()).toBe('x');
  });
});
