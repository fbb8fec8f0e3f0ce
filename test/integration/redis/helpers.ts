/** Shared helpers of the Redis integration suites: a controllable TCP proxy, waiting, plain clients. */
import net from 'node:net';
import { once } from 'node:events';
import { createClient } from 'redis';
import { BROKERS } from '../../support/brokers.js';
import { sleep, waitUntil } from '../../support/waiting.js';
export { sleep };

export const REDIS_URL = BROKERS.redis.url;

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);

/** A unique channel prefix per test, so parallel suites never see each other's messages. */
export function uniquePrefix(name: string): string {
  return `it-redis.${name}.${Math.random().toString(36).slice(2, 10)}`;
}

export function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return waitUntil(condition, what, timeoutMs);
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

export type PlainClient = Awaited<ReturnType<typeof plainClient>>;

/**
 * A node-redis client with no transport around it, as a user's other services would have. Its
 * return type is left to inference: PlainClient is taken from it, as node-redis types a client by
 * the options it was made with.
 */
export async function plainClient() {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * A loopback TCP proxy in front of the broker that a test can cut (close the
 * listener and every connection) and restore (listen again on the same port).
 */
export interface TcpProxy {
  readonly url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const newServer = (): net.Server =>
    net.createServer((downstream) => {
      const upstream = net.connect(target);
      track(downstream);
      track(upstream);
      downstream.pipe(upstream);
      upstream.pipe(downstream);
      downstream.on('close', () => upstream.destroy());
      upstream.on('close', () => downstream.destroy());
    });
  let server = newServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  const port = address.port;

  const stop = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: stop,
    restore: async () => {
      server = newServer();
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
