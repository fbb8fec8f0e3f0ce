/** Shared helpers of the NATS integration suites. */
import net from 'node:net';
import { patternFor } from '../../../src/runtime/core/address.js';
import type { AddressPattern, InboundMessage, OutboundMessage } from '../../../src/runtime/core/transport.js';
import { BROKERS } from '../../support/brokers.js';
import { sleep, waitUntil } from '../../support/waiting.js';
export { sleep };

export const NATS_URL = BROKERS.nats.url;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function uniqueId(prefix = 't'): string {
  return `${prefix}${Math.random().toString(36).slice(2, 10)}`;
}

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(payload: Uint8Array): string {
  return decoder.decode(payload);
}

export function message(address: string, body: string, extra: Partial<Omit<OutboundMessage, 'address' | 'payload'>> = {}): OutboundMessage {
  return { address, payload: bytes(body), headers: {}, ...extra };
}

export function pattern(template: string, fixed?: Record<string, string>): AddressPattern {
  return patternFor(template, fixed);
}

export function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return waitUntil(condition, what, timeoutMs);
}

/** Collects what a subscription receives; the handler answers `ack`. */
export function collector(): { readonly received: InboundMessage[]; readonly handler: (message: InboundMessage) => Promise<'ack'> } {
  const received: InboundMessage[] = [];
  return {
    received,
    handler: async (inbound) => {
      received.push(inbound);
      return 'ack';
    },
  };
}

/** A loopback TCP proxy in front of the broker that a test can cut and restore. */
export interface CuttableProxy {
  readonly port: number;
  readonly url: string;
  /** Drops every proxied connection and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number } = BROKERS.nats): Promise<CuttableProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const listening = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
      });
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => {
        const address = listening.address();
        if (address !== null && typeof address === 'object') port = address.port;
        server = listening;
        resolve();
      });
    });

  const stop = async (): Promise<void> => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (closing !== undefined) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    cut: stop,
    restore: listen,
    close: stop,
  };
}
