/**
 * Connection cuts: the client role reopens its sockets with backoff after the
 * server drops them or restarts, which resubscribes (the path is the
 * subscription), and messages flow again.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { patternFor } from '../../../src/runtime/core/address.js';
import { createWebSocketTransport, type WebSocketTransport } from '../../../src/runtime/transports/ws.js';
import { collect, eventually, message, sleep, startServer, text, uniquePrefix } from './helpers.js';

// Generous: the machine is shared and loaded; nothing here waits for a timeout on purpose.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const fastReconnect = { initialDelayMs: 50, maxDelayMs: 300 };

async function connectedClient(url: string, options: { sendTimeoutMs?: number } = {}): Promise<WebSocketTransport> {
  const transport = await createWebSocketTransport({ url, reconnect: fastReconnect, ...options });
  cleanups.push(() => transport.close());
  return transport;
}

/** Publishes until the receiver has something new: the first messages may go out before the socket is back. */
async function publishUntilReceived(hub: WebSocketTransport, address: string, received: ReadonlyArray<unknown>, what: string): Promise<void> {
  const before = received.length;
  const deadline = Date.now() + 10_000;
  while (received.length === before) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await hub.publish(message(address, 'after the cut'));
    await sleep(50);
  }
}

describe('ws transport: reconnecting after a lost connection', () => {
  it('resubscribes plain and wildcard subscriptions after the server drops every socket', async () => {
    const hub = await startServer();
    cleanups.push(() => hub.close());
    const prefix = uniquePrefix('drop');
    const receiver = await connectedClient(hub.url);
    const plain = await collect(receiver, patternFor(`${prefix}/fixed`, undefined));
    const wildcard = await collect(receiver, patternFor(`${prefix}/{id}`, undefined));
    await hub.publish(message(`${prefix}/fixed`, 'before'));
    await eventually(() => plain.received.length === 1 && wildcard.received.length === 1, 'deliveries before the cut');

    for (const socket of hub.webSocketServer?.clients ?? []) socket.terminate();
    await eventually(() => (hub.webSocketServer?.clients.size ?? 0) === 0, 'every socket dropped');

    await publishUntilReceived(hub, `${prefix}/fixed`, plain.received, 'the plain subscription to come back');
    await eventually(() => (hub.webSocketServer?.clients.size ?? 0) === 2, 'both sockets back');
    await publishUntilReceived(hub, `${prefix}/other`, wildcard.received, 'the wildcard subscription to come back');
    expect(text(plain.received.at(-1)?.payload ?? new Uint8Array())).toBe('after the cut');

    // The other direction works again too.
    const serverSide = await collect(hub, patternFor(`${prefix}/up`, undefined));
    await receiver.publish(message(`${prefix}/up`, 'client after the cut'));
    await eventually(() => serverSide.received.length === 1, 'the client message after the cut');
  });

  it('comes back when the server restarts on the same port; a publish meanwhile waits for it', async () => {
    const first = await startServer();
    const { port } = first.address();
    const prefix = uniquePrefix('restart');
    const receiver = await connectedClient(first.url, { sendTimeoutMs: 10_000 });
    const { received } = await collect(receiver, patternFor(`${prefix}/{id}`, undefined));
    await receiver.publish(message(`${prefix}/warmup`, 'opens a publish socket'));
    await first.close();

    await sleep(200);
    const waitingPublish = receiver.publish(message(`${prefix}/warmup`, 'sent once the server is back'));
    const second = await createWebSocketTransport({ role: 'server', host: '127.0.0.1', port, heartbeatMs: 0 });
    cleanups.push(() => second.close());
    const serverSide = await collect(second, patternFor(`${prefix}/warmup`, undefined));
    await waitingPublish;
    await eventually(() => serverSide.received.length === 1, 'the waiting publish');
    expect(text(serverSide.received[0]?.payload ?? new Uint8Array())).toBe('sent once the server is back');

    await publishUntilReceived(second, `${prefix}/a`, received, 'the wildcard subscription on the new server');
  });

  it('a publish gives up after sendTimeoutMs while the server stays away', async () => {
    const hub = await startServer();
    const address = `${uniquePrefix('away')}/a`;
    const sender = await connectedClient(hub.url, { sendTimeoutMs: 300 });
    await sender.publish(message(address));
    await hub.close();
    await sleep(100);
    await expect(sender.publish(message(address))).rejects.toThrow(/did not reconnect within 300 ms/);
  });

  it('the first connection is not retried: an unreachable server fails the call at once', async () => {
    const hub = await startServer();
    const { port } = hub.address();
    await hub.close();
    const sender = await createWebSocketTransport({ url: `ws://127.0.0.1:${port}` });
    cleanups.push(() => sender.close());
    await expect(sender.publish(message('a'))).rejects.toThrow(/connection to ws:\/\/127\.0\.0\.1:\d+\/a failed/);
  });
});
