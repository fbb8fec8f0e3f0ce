import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildAddress, patternFor } from '../../src/runtime/core/address.js';
import type { Disposition, InboundMessage, OutboundMessage } from '../../src/runtime/core/transport.js';
import { createMemoryBroker, createMemoryTransport, type MemoryBroker } from '../../src/runtime/transports/memory.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);
const message = (address: string, body = address, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  address,
  payload: bytes(body),
  headers: {},
  ...extra,
});

/** Subscribes and collects what arrives, as text, acking everything. */
async function collect(
  transport: ReturnType<typeof createMemoryTransport>,
  template: string,
  options: { fixed?: Record<string, string>; queueGroup?: string } = {},
): Promise<{ received: string[]; unsubscribe: () => Promise<void> }> {
  const received: string[] = [];
  const subscription = await transport.subscribe(
    patternFor(template, options.fixed),
    async (inbound) => {
      received.push(text(inbound.payload));
      return 'ack';
    },
    options.queueGroup === undefined ? {} : { queueGroup: options.queueGroup },
  );
  return { received, unsubscribe: () => subscription.unsubscribe() };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('memory transport: routing', () => {
  it('lets an App and a Client on the same transport talk to each other', async () => {
    const transport = createMemoryTransport();
    const { received } = await collect(transport, 'user/{id}/signedup');
    await transport.publish(message('user/1/signedup', 'hello'));
    await transport.whenIdle();
    expect(received).toEqual(['hello']);
    expect(transport.protocol).toBe('memory');
  });

  it('connects transports that share a broker, and isolates separate brokers', async () => {
    const broker = createMemoryBroker();
    const app = createMemoryTransport({ broker });
    const client = createMemoryTransport({ broker });
    const stranger = createMemoryTransport();
    const { received } = await collect(app, 'events');
    const { received: strangerReceived } = await collect(stranger, 'events');
    await client.publish(message('events', 'shared'));
    await broker.whenIdle();
    expect(received).toEqual(['shared']);
    expect(strangerReceived).toEqual([]);
  });

  it('refuses a broker that did not come from createMemoryBroker()', () => {
    const fake: MemoryBroker = { whenIdle: async () => {}, subscriptionCount: 0 };
    expect(() => createMemoryTransport({ broker: fake })).toThrow(/createMemoryBroker/);
  });

  it('delivers asynchronously, never inside publish', async () => {
    const transport = createMemoryTransport();
    let handled = false;
    await transport.subscribe(patternFor('a', undefined), async () => {
      handled = true;
      return 'ack';
    });
    const publishing = transport.publish(message('a'));
    expect(handled).toBe(false);
    await publishing;
    await transport.whenIdle();
    expect(handled).toBe(true);
  });

  it('matches wildcard parameters within one level only', async () => {
    const transport = createMemoryTransport();
    const { received } = await collect(transport, 'user/{id}/signedup');
    for (const address of ['user/1/signedup', 'user/1/2/signedup', 'user//signedup', 'user/1/signedupx', 'xuser/1/signedup']) {
      await transport.publish(message(address));
    }
    await transport.whenIdle();
    expect(received).toEqual(['user/1/signedup']);
  });

  it('treats dots in the template as literal dots and as the level separator', async () => {
    const transport = createMemoryTransport();
    const { received } = await collect(transport, 'smartylighting.streetlights.1.0.event.{streetlightId}.lighting.measured');
    for (const address of [
      'smartylighting.streetlights.1.0.event.7.lighting.measured',
      'smartylighting.streetlights.1x0.event.7.lighting.measured',
      'smartylighting.streetlights.1.0.event.7.8.lighting.measured',
    ]) {
      await transport.publish(message(address));
    }
    await transport.whenIdle();
    expect(received).toEqual(['smartylighting.streetlights.1.0.event.7.lighting.measured']);
  });

  it('delivers only the fixed value of a fixed parameter, also for hostile values', async () => {
    const transport = createMemoryTransport();
    const { received } = await collect(transport, 'user/{id}/signedup', { fixed: { id: 'a/b' } });
    const { received: all } = await collect(transport, 'user/{id}/signedup');
    await transport.publish(message(buildAddress('user/{id}/signedup', { id: 'a/b' }), 'match'));
    await transport.publish(message(buildAddress('user/{id}/signedup', { id: 'a' }), 'other'));
    await transport.publish(message('user/a/b/signedup', 'raw slash'));
    await transport.whenIdle();
    expect(received).toEqual(['match']);
    expect(all).toEqual(['match', 'other']);
  });

  it('delivers to every matching subscription', async () => {
    const transport = createMemoryTransport();
    const first = await collect(transport, 'a/{x}');
    const second = await collect(transport, 'a/{x}');
    const exact = await collect(transport, 'a/1');
    await transport.publish(message('a/1'));
    await transport.whenIdle();
    expect([first.received, second.received, exact.received]).toEqual([['a/1'], ['a/1'], ['a/1']]);
  });

  it('does not fail a publish without subscribers', async () => {
    const transport = createMemoryTransport();
    await expect(transport.publish(message('nobody/listens'))).resolves.toBeUndefined();
    expect(transport.published).toHaveLength(1);
  });

  it('keeps publish order per subscriber even when handlers take different times', async () => {
    const transport = createMemoryTransport();
    const seen: number[] = [];
    await transport.subscribe(patternFor('n/{i}', undefined), async (inbound) => {
      const i = Number(inbound.address.slice(2));
      await new Promise((resolve) => setTimeout(resolve, (i * 7) % 5));
      seen.push(i);
      return 'ack';
    });
    for (let i = 0; i < 20; i += 1) await transport.publish(message(`n/${i}`));
    await transport.whenIdle();
    expect(seen).toEqual([...Array(20).keys()]);
  });

  it('round-robins a queue group and still delivers to subscribers outside it', async () => {
    const transport = createMemoryTransport();
    const members = [
      await collect(transport, 'jobs/{id}', { queueGroup: 'workers' }),
      await collect(transport, 'jobs/{id}', { queueGroup: 'workers' }),
      await collect(transport, 'jobs/{id}', { queueGroup: 'workers' }),
    ];
    const auditors = [
      await collect(transport, 'jobs/{id}', { queueGroup: 'audit' }),
      await collect(transport, 'jobs/{id}', { queueGroup: 'audit' }),
    ];
    const plain = await collect(transport, 'jobs/{id}');
    for (let i = 0; i < 6; i += 1) await transport.publish(message(`jobs/${i}`, String(i)));
    await transport.whenIdle();
    expect(members.map((member) => member.received)).toEqual([
      ['0', '3'],
      ['1', '4'],
      ['2', '5'],
    ]);
    expect(auditors.map((auditor) => auditor.received)).toEqual([
      ['0', '2', '4'],
      ['1', '3', '5'],
    ]);
    expect(plain.received).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('treats the same group name on different patterns as different groups', async () => {
    const transport = createMemoryTransport();
    const wildcard = await collect(transport, 'jobs/{id}', { queueGroup: 'workers' });
    const fixed = await collect(transport, 'jobs/{id}', { queueGroup: 'workers', fixed: { id: '1' } });
    await transport.publish(message('jobs/1'));
    await transport.whenIdle();
    expect([wildcard.received, fixed.received]).toEqual([['jobs/1'], ['jobs/1']]);
  });

  it('waits in whenIdle() for messages published by handlers', async () => {
    const transport = createMemoryTransport();
    const { received } = await collect(transport, 'second');
    await transport.subscribe(patternFor('first', undefined), async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await transport.publish(message('second'));
      return 'ack';
    });
    await transport.publish(message('first'));
    await transport.whenIdle();
    expect(received).toEqual(['second']);
  });
});

describe('memory transport: copies and history', () => {
  it('copies payload and headers on publish', async () => {
    const transport = createMemoryTransport();
    const received: InboundMessage[] = [];
    await transport.subscribe(patternFor('a', undefined), async (inbound) => {
      received.push(inbound);
      return 'ack';
    });
    const payload = bytes('original');
    const headers: Record<string, string> = { h: '1' };
    await transport.publish({ address: 'a', payload, headers });
    payload.set(bytes('MUTATED!'));
    headers['h'] = '2';
    await transport.whenIdle();
    expect(text(received[0]!.payload)).toBe('original');
    expect(received[0]!.headers).toEqual({ h: '1' });
    expect(text(transport.published[0]!.payload)).toBe('original');
  });

  it('copies a Buffer payload (whose slice() would be a view)', async () => {
    const transport = createMemoryTransport();
    const payload = Buffer.from('original');
    await transport.publish({ address: 'a', payload, headers: {} });
    payload.write('MUTATED!');
    expect(text(transport.published[0]!.payload)).toBe('original');
  });

  it('gives each receiver its own copy', async () => {
    const transport = createMemoryTransport();
    const received: InboundMessage[] = [];
    for (let i = 0; i < 2; i += 1) {
      await transport.subscribe(patternFor('a', undefined), async (inbound) => {
        received.push(inbound);
        inbound.payload.fill(0);
        inbound.headers['h'] = 'changed';
        return 'ack';
      });
    }
    await transport.publish({ address: 'a', payload: bytes('xy'), headers: { h: '1' } });
    await transport.whenIdle();
    expect(received).toHaveLength(2);
    expect(received[0]!.payload).not.toBe(received[1]!.payload);
    expect(text(transport.deliveries[1]!.payload)).toBe('xy');
    expect(transport.deliveries[1]!.headers).toEqual({ h: '1' });
  });

  it('rejects a payload that is not bytes', async () => {
    const transport = createMemoryTransport();
    const notBytes = { address: 'a', payload: '{"a":1}', headers: {} } as unknown as OutboundMessage;
    await expect(transport.publish(notBytes)).rejects.toThrow(/must be a Uint8Array/);
  });

  it('passes contentType, correlationId and key through, and omits absent ones', async () => {
    const transport = createMemoryTransport();
    const received: InboundMessage[] = [];
    await transport.subscribe(patternFor('a', undefined), async (inbound) => {
      received.push(inbound);
      return 'ack';
    });
    await transport.publish(message('a', 'x', { contentType: 'text/plain', correlationId: 'c1', key: 'k' }));
    await transport.publish(message('a', 'y'));
    await transport.whenIdle();
    expect(received[0]).toMatchObject({ contentType: 'text/plain', correlationId: 'c1', key: 'k' });
    expect(Object.keys(received[1]!).sort()).toEqual(['address', 'headers', 'payload']);
  });

  it('records each delivery with its outcome: ack, reject, failed, pending', async () => {
    const transport = createMemoryTransport();
    const gate = deferred();
    const failure = new Error('handler broke');
    await transport.subscribe(
      patternFor('orders/{id}', undefined),
      async (inbound): Promise<Disposition> => {
        const body = text(inbound.payload);
        if (body === 'throw') throw failure;
        if (body === 'wait') await gate.promise;
        return body === 'bad' ? 'reject' : 'ack';
      },
      { operation: 'onOrder', queueGroup: 'g' },
    );
    for (const body of ['good', 'bad', 'throw', 'wait']) await transport.publish(message('orders/1', body));
    await vi.waitFor(() => expect(transport.deliveries).toHaveLength(4));
    expect(transport.deliveries.map((delivery) => delivery.outcome)).toEqual(['ack', 'reject', 'failed', 'pending']);
    expect(transport.deliveries[2]!.error).toBe(failure);
    expect(transport.deliveries[0]).toMatchObject({
      address: 'orders/1',
      template: 'orders/{id}',
      operation: 'onOrder',
      queueGroup: 'g',
    });
    gate.resolve();
    await transport.whenIdle();
    expect(transport.deliveries[3]!.outcome).toBe('ack');
    transport.clearHistory();
    expect([transport.published.length, transport.deliveries.length]).toEqual([0, 0]);
  });

  it('treats a handler that throws synchronously as failed', async () => {
    const transport = createMemoryTransport();
    await transport.subscribe(patternFor('a', undefined), (() => {
      throw new Error('sync');
    }) as () => Promise<Disposition>);
    await transport.publish(message('a'));
    await transport.whenIdle();
    expect(transport.deliveries[0]!.outcome).toBe('failed');
  });
});

describe('memory transport: request/reply', () => {
  async function echoResponder(transport: ReturnType<typeof createMemoryTransport>): Promise<InboundMessage[]> {
    const requests: InboundMessage[] = [];
    await transport.subscribe(patternFor('echo/{id}', undefined), async (inbound) => {
      requests.push(inbound);
      await inbound.reply?.({ payload: bytes(`re:${text(inbound.payload)}`), headers: { answered: 'yes' } });
      return 'ack';
    });
    return requests;
  }

  it('replies through a private inbox with the same correlation id', async () => {
    const transport = createMemoryTransport();
    const requests = await echoResponder(transport);
    const baseline = transport.broker.subscriptionCount;
    const reply = await transport.request(message('echo/1', 'ping', { correlationId: 'corr-1' }), { timeoutMs: 1000 });
    expect(text(reply.payload)).toBe('re:ping');
    expect(reply.headers).toEqual({ answered: 'yes' });
    expect(reply.correlationId).toBe('corr-1');
    expect(reply.address).toMatch(/^_INBOX\.[0-9a-f-]{36}$/);
    expect(requests[0]!.replyTo).toBe(reply.address);
    expect(requests[0]!.correlationId).toBe('corr-1');
    expect(transport.broker.subscriptionCount).toBe(baseline);
  });

  it('invents a correlation id when the request has none, and keeps it on the reply', async () => {
    const transport = createMemoryTransport();
    await transport.subscribe(patternFor('echo/{id}', undefined), async (inbound) => {
      await inbound.reply?.({ payload: bytes('r'), headers: {}, correlationId: 'ignored' });
      return 'ack';
    });
    const reply = await transport.request(message('echo/1'), { timeoutMs: 1000 });
    expect(reply.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(transport.published[0]!.correlationId).toBe(reply.correlationId);
  });

  it('works across transports on one broker, and resolves with the first reply only', async () => {
    const broker = createMemoryBroker();
    const server = createMemoryTransport({ broker });
    const client = createMemoryTransport({ broker });
    for (const name of ['one', 'two']) {
      await server.subscribe(patternFor('svc', undefined), async (inbound) => {
        await inbound.reply?.({ payload: bytes(name), headers: {} });
        return 'ack';
      });
    }
    const reply = await client.request(message('svc'), { timeoutMs: 1000 });
    await broker.whenIdle();
    expect(text(reply.payload)).toBe('one');
    expect(server.published.map((published) => text(published.payload))).toEqual(['one', 'two']);
    expect(broker.subscriptionCount).toBe(2);
  });

  it('gives no reply function to a message sent without replyTo', async () => {
    const transport = createMemoryTransport();
    const requests = await echoResponder(transport);
    await transport.publish(message('echo/1'));
    await transport.whenIdle();
    expect(requests[0]!.reply).toBeUndefined();
  });

  it('rejects with a TimeoutError naming the address and timeout, and leaks nothing', async () => {
    vi.useFakeTimers();
    const transport = createMemoryTransport();
    const pending = transport.request(message('nobody/home'), { timeoutMs: 250 });
    const outcome = expect(pending).rejects.toMatchObject({
      name: 'TimeoutError',
      message: expect.stringMatching(/"nobody\/home".*250 ms/),
    });
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(250);
    await outcome;
    expect(vi.getTimerCount()).toBe(0);
    expect(transport.broker.subscriptionCount).toBe(0);
  });

  it('clears its timer when the reply arrives', async () => {
    vi.useFakeTimers();
    const transport = createMemoryTransport();
    await echoResponder(transport);
    await transport.request(message('echo/1'), { timeoutMs: 60_000 });
    expect(vi.getTimerCount()).toBe(0);
    expect(transport.broker.subscriptionCount).toBe(1);
  });

  it('ignores a reply that arrives after the timeout', async () => {
    vi.useFakeTimers();
    const transport = createMemoryTransport();
    let late: (() => Promise<void>) | undefined;
    await transport.subscribe(patternFor('slow', undefined), async (inbound) => {
      late = () => inbound.reply?.({ payload: bytes('late'), headers: {} }) ?? Promise.resolve();
      return 'ack';
    });
    const pending = transport.request(message('slow'), { timeoutMs: 10 });
    const outcome = expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
    await vi.advanceTimersByTimeAsync(10);
    await outcome;
    await late?.();
    await transport.whenIdle();
    expect(transport.broker.subscriptionCount).toBe(1);
  });

  it("rejects with the signal's reason on abort, and leaks nothing", async () => {
    vi.useFakeTimers();
    const transport = createMemoryTransport();
    const controller = new AbortController();
    const removeListener = vi.spyOn(controller.signal, 'removeEventListener');
    const pending = transport.request(message('nobody/home'), { timeoutMs: 1000, signal: controller.signal });
    const outcome = expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    controller.abort();
    await outcome;
    expect(vi.getTimerCount()).toBe(0);
    expect(transport.broker.subscriptionCount).toBe(0);
    expect(removeListener).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('rejects at once for an already aborted signal, with a custom reason', async () => {
    const transport = createMemoryTransport();
    const reason = new Error('caller gave up');
    await expect(
      transport.request(message('x'), { timeoutMs: 1000, signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(transport.published).toHaveLength(0);
    expect(transport.broker.subscriptionCount).toBe(0);
  });

  it('rejects an invalid timeout', async () => {
    const transport = createMemoryTransport();
    for (const timeoutMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      await expect(transport.request(message('x'), { timeoutMs })).rejects.toThrow(RangeError);
    }
  });
});

describe('memory transport: unsubscribe and close', () => {
  it('stops delivery on unsubscribe, drops queued messages, and is idempotent', async () => {
    const transport = createMemoryTransport();
    const gate = deferred();
    const seen: string[] = [];
    const subscription = await transport.subscribe(patternFor('a', undefined), async (inbound) => {
      seen.push(text(inbound.payload));
      await gate.promise;
      return 'ack';
    });
    await transport.publish(message('a', '1'));
    await transport.publish(message('a', '2'));
    await vi.waitFor(() => expect(seen).toEqual(['1']));
    await subscription.unsubscribe();
    await subscription.unsubscribe();
    await transport.publish(message('a', '3'));
    gate.resolve();
    await transport.whenIdle();
    expect(seen).toEqual(['1']);
    expect(transport.broker.subscriptionCount).toBe(0);
  });

  it('waits for in-flight handlers, then rejects publish, subscribe and request', async () => {
    const transport = createMemoryTransport();
    const gate = deferred();
    const finished: string[] = [];
    await transport.subscribe(patternFor('a', undefined), async (inbound) => {
      await gate.promise;
      finished.push(text(inbound.payload));
      return 'ack';
    });
    await transport.publish(message('a', 'in-flight'));
    await transport.publish(message('a', 'queued'));
    let closed = false;
    const closing = transport.close().then(() => {
      closed = true;
    });
    await transport.publish(message('a', 'after close'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(closed).toBe(false);
    gate.resolve();
    await closing;
    expect(finished).toEqual(['in-flight', 'queued']);
    await expect(transport.publish(message('a'))).rejects.toThrow('Memory transport is closed; cannot publish to "a"');
    await expect(transport.subscribe(patternFor('a', undefined), async () => 'ack')).rejects.toThrow(
      /closed; cannot subscribe to "a"/,
    );
    await expect(transport.request(message('a'), { timeoutMs: 10 })).rejects.toThrow(/closed; cannot send a request/);
    expect(transport.broker.subscriptionCount).toBe(0);
  });

  it('also waits for a handler whose subscription was unsubscribed', async () => {
    const transport = createMemoryTransport();
    const gate = deferred();
    let finished = false;
    const subscription = await transport.subscribe(patternFor('a', undefined), async () => {
      await gate.promise;
      finished = true;
      return 'ack';
    });
    await transport.publish(message('a'));
    await vi.waitFor(() => expect(transport.deliveries).toHaveLength(1));
    await subscription.unsubscribe();
    const closing = transport.close();
    gate.resolve();
    await closing;
    expect(finished).toBe(true);
  });

  it('lets in-flight handlers reply while closing', async () => {
    const broker = createMemoryBroker();
    const server = createMemoryTransport({ broker });
    const client = createMemoryTransport({ broker });
    const gate = deferred();
    await server.subscribe(patternFor('svc', undefined), async (inbound) => {
      await gate.promise;
      await inbound.reply?.({ payload: bytes('bye'), headers: {} });
      return 'ack';
    });
    const reply = client.request(message('svc'), { timeoutMs: 1000 });
    await vi.waitFor(() => expect(server.deliveries).toHaveLength(1));
    const closing = server.close();
    gate.resolve();
    await closing;
    expect(text((await reply).payload)).toBe('bye');
  });

  it('rejects its pending requests and returns the same promise when closed twice', async () => {
    vi.useFakeTimers();
    const transport = createMemoryTransport();
    const pending = transport.request(message('nobody'), { timeoutMs: 1000 });
    const outcome = expect(pending).rejects.toThrow(/closed; cannot wait for a reply/);
    const first = transport.close();
    expect(transport.close()).toBe(first);
    await first;
    await outcome;
    expect(vi.getTimerCount()).toBe(0);
    expect(transport.broker.subscriptionCount).toBe(0);
  });

  it('keeps other transports on the broker working after one closes', async () => {
    const broker = createMemoryBroker();
    const closedOne = createMemoryTransport({ broker });
    const open = createMemoryTransport({ broker });
    const closedReceived = await collect(closedOne, 'a');
    const openReceived = await collect(open, 'a');
    await closedOne.close();
    await open.publish(message('a'));
    await broker.whenIdle();
    expect(closedReceived.received).toEqual([]);
    expect(openReceived.received).toEqual(['a']);
  });
});
