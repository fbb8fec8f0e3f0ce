/**
 * The Redis transport through a loopback TCP proxy that the test cuts and
 * restores: node-redis reconnects both connections and resubscribes, and
 * messages flow again. Messages published while the subscriber is cut off are
 * lost; Redis pub/sub keeps nothing for absent subscribers.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternFor } from '../../../src/runtime/core/address.js';
import { createRedisTransport, type RedisTransport } from '../../../src/runtime/transports/redis.js';
import { BROKERS, brokerAvailable } from '../../support/brokers.js';
import { bytes, eventually, plainClient, sleep, startProxy, text, uniquePrefix, type PlainClient, type TcpProxy } from './helpers.js';

const available = await brokerAvailable('redis');

describe.skipIf(!available)('redis transport: a cut connection', () => {
  let proxy: TcpProxy;
  let transport: RedisTransport;
  let direct: PlainClient;
  const errors: Error[] = [];

  beforeAll(async () => {
    proxy = await startProxy(BROKERS.redis);
    transport = await createRedisTransport({
      url: proxy.url,
      socket: { reconnectStrategy: 50 },
      onError: (error) => errors.push(error),
    });
    direct = await plainClient();
  });

  afterAll(async () => {
    await transport?.close();
    await direct?.close();
    await proxy?.close();
  });

  it('reconnects, resubscribes channels, patterns and the request inbox, and delivers again', async () => {
    const prefix = uniquePrefix('reconnect');
    const received: string[] = [];
    const record = async (inbound: { payload: Uint8Array }): Promise<'ack'> => {
      received.push(text(inbound.payload));
      return 'ack';
    };
    await transport.subscribe(patternFor(`${prefix}.fixed`, undefined), record);
    await transport.subscribe(patternFor(`${prefix}.{id}.wild`, undefined), record);
    const responder = await plainClient();
    await direct.subscribe(`${prefix}.questions`, (request) => {
      // A plain responder: read the documented frame's replyTo, answer with raw bytes.
      const metadataLine = request.subarray(21, request.indexOf(0x0a, 21)).toString('utf8');
      const { replyTo } = JSON.parse(metadataLine) as { replyTo: string };
      void responder.publish(replyTo, 'pong');
    }, true);

    await direct.publish(`${prefix}.fixed`, 'before');
    await eventually(() => received.includes('before'), 'a message before the cut');
    expect(text((await transport.request({ address: `${prefix}.questions`, payload: bytes('ping'), headers: {} }, { timeoutMs: 2000 })).payload)).toBe('pong');

    const lost = once(transport.subscriber, 'error');
    await proxy.cut();
    await lost;
    expect(transport.subscriber.isReady).toBe(false);
    await direct.publish(`${prefix}.fixed`, 'while cut');
    const publishedWhileCut = transport.publish({ address: `${prefix}.fixed`, payload: bytes('queued by the publisher'), headers: {} });

    const subscriberBack = once(transport.subscriber, 'ready');
    await proxy.restore();
    await subscriberBack;
    await publishedWhileCut;
    await direct.publish(`${prefix}.fixed`, 'after');
    await direct.publish(`${prefix}.7.wild`, 'after, pattern');
    await eventually(() => received.includes('after') && received.includes('after, pattern'), 'messages after the restore');
    expect(text((await transport.request({ address: `${prefix}.questions`, payload: bytes('ping'), headers: {} }, { timeoutMs: 2000 })).payload)).toBe('pong');
    await sleep(100);
    expect(received).not.toContain('while cut');
    expect(errors.some((error) => /connection lost/.test(error.message))).toBe(true);
    await responder.close();
  }, 30_000);
});
