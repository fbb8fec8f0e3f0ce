/** Shared helpers of the AMQP integration suites (RabbitMQ on loopback). */
import net from 'node:net';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { patternFor } from '../../../src/runtime/core/address.js';
import type { AddressPattern, InboundMessage, OutboundMessage } from '../../../src/runtime/core/transport.js';
import { createAmqpTransport, type AmqpTransport, type AmqpTransportOptions } from '../../../src/runtime/transports/amqp.js';
import { BROKERS } from '../../support/brokers.js';
import { sleep, waitUntil } from '../../support/waiting.js';
export { sleep };

export const AMQP_URL = BROKERS.amqp.url;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function uniqueId(prefix = 't'): string {
  return `${prefix}${Math.random().toString(36).slice(2, 10)}`;
}

export function bytes(body: string): Uint8Array {
  return encoder.encode(body);
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
export function collector(): { readonly received: InboundMessage[]; readonly handler: (inbound: InboundMessage) => Promise<'ack'> } {
  const received: InboundMessage[] = [];
  return {
    received,
    handler: async (inbound) => {
      received.push(inbound);
      return 'ack';
    },
  };
}

/** Transports opened by a suite, closed by `closeAll` (errors collected instead of printed). */
export function transportPool(): {
  open(options?: AmqpTransportOptions): Promise<AmqpTransport>;
  closeAll(): Promise<void>;
  readonly errors: Error[];
} {
  const open: AmqpTransport[] = [];
  const errors: Error[] = [];
  return {
    errors,
    async open(options = {}) {
      const transport = await createAmqpTransport({ url: AMQP_URL, onError: (error) => errors.push(error), ...options });
      open.push(transport);
      return transport;
    },
    async closeAll() {
      await Promise.all(open.splice(0).map((transport) => transport.close()));
    },
  };
}

/** A plain amqplib connection for looking at the broker from outside the transport. */
export async function plainConnection(): Promise<ChannelModel> {
  const connection = await connect(AMQP_URL);
  connection.on('error', () => undefined);
  return connection;
}

/**
 * Runs `probe` on a throwaway channel and returns the broker's refusal, if
 * any (a refused declaration closes its channel, so each probe gets its own).
 */
export async function brokerRefusal(connection: ChannelModel, probe: (channel: Channel) => Promise<unknown>): Promise<string | undefined> {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  try {
    await probe(channel);
    await channel.close();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A loopback TCP proxy in front of the broker that a test can cut and restore. */
export interface CuttableProxy {
  readonly url: string;
  /**
   * Drops every proxied connection and refuses new ones. With `keepBrokerSide`
   * the broker's end stays open and silent, so the broker believes the old
   * connection alive until its heartbeat times out.
   */
  cut(options?: { readonly keepBrokerSide?: boolean }): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number } = BROKERS.amqp): Promise<CuttableProxy> {
  const clientSockets = new Set<net.Socket>();
  const brokerSockets = new Set<net.Socket>();
  const held: net.Socket[] = [];
  let server: net.Server | undefined;
  let port = 0;

  const track = (socket: net.Socket, sockets: Set<net.Socket>): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const listening = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        track(client, clientSockets);
        track(upstream, brokerSockets);
        client.on('close', () => {
          if (!held.includes(upstream)) upstream.destroy();
        });
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

  const stop = async (options: { readonly keepBrokerSide?: boolean } = {}): Promise<void> => {
    const closing = server;
    server = undefined;
    if (options.keepBrokerSide === true) {
      for (const socket of brokerSockets) {
        socket.unpipe();
        socket.pause();
        held.push(socket);
      }
    } else {
      for (const socket of [...brokerSockets, ...held.splice(0)]) socket.destroy();
    }
    for (const socket of clientSockets) socket.destroy();
    clientSockets.clear();
    brokerSockets.clear();
    if (closing !== undefined) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  await listen();
  return {
    get url() {
      return `amqp://guest:guest@127.0.0.1:${port}`;
    },
    cut: stop,
    restore: listen,
    close: () => stop(),
  };
}
