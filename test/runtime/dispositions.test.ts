/**
 * What a receiving operation tells its transport about each delivery: `ack` when the handler
 * returned or resolved, `reject` when the message was invalid or the handler threw or rejected,
 * always as a promise (the Transport contract), and every failure reported once to onError.
 */
import { describe, expect, it } from 'vitest';
import { createOperationRuntime, OperationError, type OperationDescriptor } from '../../src/runtime/core/operations.js';
import type { InboundHandler, InboundMessage, Transport } from '../../src/runtime/core/transport.js';

const operation: OperationDescriptor = {
  id: 'onReading',
  channel: { address: 'readings.{sensor}', parameters: [{ name: 'sensor', kind: 'string' }] },
  messages: [{
    name: 'Reading',
    contentType: 'application/json',
    validatePayload: (value) => (typeof value === 'object' && value !== null && typeof Reflect.get(value, 'value') === 'number' ? [] : [{ path: '/value', keyword: 'type', message: 'must be number' }]),
  }],
};

/** A transport that hands the test the handler the runtime subscribed with. */
function capturingTransport(): { transport: Transport; handler(): InboundHandler } {
  let captured: InboundHandler | undefined;
  const transport: Transport = {
    protocol: 'test',
    publish: async () => undefined,
    subscribe: async (_pattern, handler) => {
      captured = handler;
      return { unsubscribe: async () => undefined };
    },
    request: async () => {
      throw new Error('no requests here');
    },
    close: async () => undefined,
  };
  return { transport, handler: () => captured ?? (() => Promise.reject(new Error('not subscribed'))) };
}

function delivery(payload: unknown, address = 'readings.s1'): InboundMessage {
  return { address, payload: new TextEncoder().encode(JSON.stringify(payload)), headers: {}, contentType: 'application/json' };
}

async function subscribed(handle: (event: unknown) => unknown, onError: (error: OperationError) => void = () => undefined): Promise<InboundHandler> {
  const { transport, handler } = capturingTransport();
  await createOperationRuntime({ transport, onError }).receive(operation, handle);
  return handler();
}

describe('dispositions of deliveries', () => {
  it('acks, as a promise, what a synchronous or an asynchronous handler took', async () => {
    const seen: unknown[] = [];
    const sync = await subscribed((event) => void seen.push(event));
    const result = sync(delivery({ value: 1 }));
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe('ack');
    const later = await subscribed(async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(event);
    });
    await expect(later(delivery({ value: 2 }))).resolves.toBe('ack');
    expect(seen).toHaveLength(2);
  });

  it('rejects, and reports once, an invalid message and a handler that throws or rejects', async () => {
    const reported: OperationError[] = [];
    const throwing = await subscribed(() => {
      throw new Error('boom');
    }, (error) => reported.push(error));
    await expect(throwing(delivery({ value: 'warm' }))).resolves.toBe('reject');
    await expect(throwing(delivery({ value: 3 }))).resolves.toBe('reject');
    const rejecting = await subscribed(() => Promise.reject(new Error('later boom')), (error) => reported.push(error));
    await expect(rejecting(delivery({ value: 4 }))).resolves.toBe('reject');
    expect(reported.map((error) => [error.kind, error.message])).toEqual([
      ['validation', "invalid message on 'readings.s1' for operation 'onReading'"],
      ['handler', 'handler failed: boom'],
      ['handler', 'handler failed: later boom'],
    ]);
  });

  it('acks a delivery of another channel that a broad wildcard let through, without calling the handler', async () => {
    let calls = 0;
    const handler = await subscribed(() => void calls++);
    await expect(handler(delivery({ value: 1 }, 'elsewhere.s1'))).resolves.toBe('ack');
    expect(calls).toBe(0);
  });

  it('turns an onError that throws into a rejected promise, never a throw into the transport', async () => {
    const handler = await subscribed(() => {
      throw new Error('boom');
    }, () => {
      throw new Error('the error handler failed too');
    });
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = handler(delivery({ value: 5 }));
    }).not.toThrow();
    await expect(result).rejects.toThrow('the error handler failed too');
    const invalid = await subscribed(() => undefined, () => {
      throw new Error('cannot report');
    });
    await expect(invalid(delivery({ value: 'x' }))).rejects.toThrow('cannot report');
  });
});
