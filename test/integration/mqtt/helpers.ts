/** Shared helpers of the MQTT integration suites. */
import net from 'node:net';
import { patternFor } from '../../../src/runtime/core/address.js';
import type { AddressPattern, Disposition, InboundMessage, OutboundMessage } from '../../../src/runtime/core/transport.js';
import { BROKERS } from '../../support/brokers.js';
import { sleep, waitUntil } from '../../support/waiting.js';
export { sleep };

export const MQTT_URL = BROKERS.mqtt.url;

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

/** Collects what a subscription receives; the handler answers `disposition` (default `ack`). */
export function collector(disposition: Disposition = 'ack'): {
  readonly received: InboundMessage[];
  readonly handler: (message: InboundMessage) => Promise<Disposition>;
} {
  const received: InboundMessage[] = [];
  return {
    received,
    handler: async (inbound) => {
      received.push(inbound);
      return disposition;
    },
  };
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
export function gate(): { readonly promise: Promise<void>; readonly open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** A loopback TCP proxy in front of a broker that a test can cut and restore. */
export interface CuttableProxy {
  readonly url: string;
  /** Drops every proxied connection and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(target: { readonly host: string; readonly port: number }): Promise<CuttableProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const created = net.createServer((inbound) => {
        const outbound = net.connect(target.port, target.host);
        for (const socket of [inbound, outbound]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            inbound.destroy();
            outbound.destroy();
          });
        }
        inbound.pipe(outbound);
        outbound.pipe(inbound);
      });
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => {
        const address = created.address();
        if (address !== null && typeof address === 'object') port = address.port;
        server = created;
        resolve();
      });
    });

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (server === undefined) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  await listen();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    cut: stop,
    restore: listen,
    close: stop,
  };
}
