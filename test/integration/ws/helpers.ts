/** Shared helpers of the WebSocket integration suites: transports on loopback, waiting, plain ws peers. */
import { once } from 'node:events';
import { WebSocket } from 'ws';
import type { AddressPattern, Disposition, InboundMessage, OutboundMessage } from '../../../src/runtime/core/transport.js';
import {
  createWebSocketTransport,
  type WebSocketClientTransportOptions,
  type WebSocketServerTransportOptions,
  type WebSocketTransport,
} from '../../../src/runtime/transports/ws.js';
import { sleep, waitUntil } from '../../support/waiting.js';
export { sleep };

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);

/** A unique path prefix per test, so nothing leaks between tests. */
export function uniquePrefix(name: string): string {
  return `it-ws/${name}/${Math.random().toString(36).slice(2, 10)}`;
}

export function message(address: string, body = address, extra: Partial<OutboundMessage> = {}): OutboundMessage {
  return { address, payload: bytes(body), headers: {}, ...extra };
}

export function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return waitUntil(condition, what, timeoutMs);
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A server-role transport on a free loopback port. */
export function startServer(options: Partial<WebSocketServerTransportOptions> = {}): Promise<WebSocketTransport> {
  return createWebSocketTransport({ role: 'server', host: '127.0.0.1', port: 0, ...options });
}

/** A client-role transport connected to `server`. */
export function startClient(server: WebSocketTransport, options: WebSocketClientTransportOptions = {}): Promise<WebSocketTransport> {
  return createWebSocketTransport({ url: server.url, ...options });
}

/** Subscribes and collects what arrives. */
export async function collect(
  transport: WebSocketTransport,
  pattern: AddressPattern,
  disposition: Disposition = 'ack',
): Promise<{ received: InboundMessage[]; unsubscribe: () => Promise<void> }> {
  const received: InboundMessage[] = [];
  const subscription = await transport.subscribe(pattern, async (inbound) => {
    received.push(inbound);
    return disposition;
  });
  return { received, unsubscribe: () => subscription.unsubscribe() };
}

/** A plain `ws` client on one path, recording the frames it receives. */
export interface PlainPeer {
  readonly socket: WebSocket;
  readonly frames: Array<{ readonly data: Buffer; readonly binary: boolean }>;
  close(): Promise<void>;
}

export async function plainPeer(url: string, protocols: string[] = []): Promise<PlainPeer> {
  const socket = new WebSocket(url, protocols);
  const frames: Array<{ data: Buffer; binary: boolean }> = [];
  socket.on('message', (data, binary) => frames.push({ data: Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), binary }));
  await once(socket, 'open');
  return {
    socket,
    frames,
    close: async () => {
      if (socket.readyState === WebSocket.CLOSED) return;
      const closed = once(socket, 'close');
      socket.close();
      await closed;
    },
  };
}

/** Sends one frame from a plain socket and waits until it is written. */
export function plainSend(socket: WebSocket, data: string | Buffer, binary = false): Promise<void> {
  return new Promise((resolve, reject) => socket.send(data, { binary }, (error) => (error ? reject(error) : resolve())));
}
