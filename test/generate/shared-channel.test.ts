/**
 * Request/reply on one shared address with an integer correlation id in the
 * payload (as many WebSocket APIs do): the request's own echo is not taken
 * for the answer, the id is stamped as an integer because the schema says so,
 * and the reply carries it back with the same type.
 */
import { describe, expect, it } from 'vitest';
import { generateModules } from '../support/generated.js';

const DOCUMENT = `asyncapi: 3.0.0
info: { title: Shared, version: '1' }
channels:
  socket:
    address: /
    messages:
      ping:
        payload:
          type: object
          required: [event]
          properties:
            event: { const: ping }
            reqid: { type: integer }
        correlationId: { location: '$message.payload#/reqid' }
      pong:
        payload:
          type: object
          required: [event, reqid]
          properties:
            event: { const: pong }
            reqid: { type: integer }
        correlationId: { location: '$message.payload#/reqid' }
operations:
  answerPing:
    action: receive
    channel: { $ref: '#/channels/socket' }
    messages: [{ $ref: '#/channels/socket/messages/ping' }]
    reply:
      channel: { $ref: '#/channels/socket' }
      messages: [{ $ref: '#/channels/socket/messages/pong' }]
`;

interface Generated {
  createApp(options: { transport: unknown; onError: (error: Error) => void }): { answerPing(handler: (event: { payload: { reqid?: number } }) => unknown): Promise<unknown> };
  createClient(options: { transport: unknown }): { answerPing(input: { payload: { event: 'ping' } }, options: { timeoutMs: number }): Promise<{ message: string; payload: { event: string; reqid: number } }> };
}

describe('request/reply on one shared address', () => {
  it('skips the echo of the request, stamps an integer id, and matches the integer reply', async () => {
    const { generated, memory } = await generateModules<Generated, { createMemoryBroker(): unknown; createMemoryTransport(options: { broker: unknown }): unknown }>('shared-channel', DOCUMENT);
    const broker = memory.createMemoryBroker();
    const errors: Error[] = [];
    const seen: Array<number | undefined> = [];
    const app = generated.createApp({ transport: memory.createMemoryTransport({ broker }), onError: (error) => errors.push(error) });
    await app.answerPing(async (event) => {
      seen.push(event.payload.reqid);
      return { payload: { event: 'pong' } };
    });
    const client = generated.createClient({ transport: memory.createMemoryTransport({ broker }) });
    const reply = await client.answerPing({ payload: { event: 'ping' } }, { timeoutMs: 2000 });
    expect(reply.message).toBe('pong');
    expect(typeof reply.payload.reqid).toBe('number');
    expect(seen).toEqual([reply.payload.reqid]);
    // The replier's subscription also sees its own answer on the shared address: not an error.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors).toEqual([]);
  }, 60_000);
});

const NEIGHBOURS = `asyncapi: 3.0.0
info: { title: Neighbours, version: '1' }
channels:
  feed:
    address: 'feed/{region}'
    parameters: { region: {} }
    messages:
      trade:
        payload: { type: object, required: [type, price], properties: { type: { const: trade }, price: { type: number } } }
      quote:
        payload: { type: object, required: [type, bid], properties: { type: { const: quote }, bid: { type: number } } }
      status:
        payload: { type: object, required: [type], properties: { type: { const: status } } }
      anything:
        payload: { type: object }
      note:
        payload: { type: object, properties: { type: { const: note }, text: { type: string } } }
operations:
  onTrade:
    action: receive
    channel: { $ref: '#/channels/feed' }
    messages: [{ $ref: '#/channels/feed/messages/trade' }]
  onQuote:
    action: receive
    channel: { $ref: '#/channels/feed' }
    messages: [{ $ref: '#/channels/feed/messages/quote' }]
  sendStatus:
    action: send
    channel: { $ref: '#/channels/feed' }
    messages: [{ $ref: '#/channels/feed/messages/status' }]
  onAnything:
    action: receive
    channel: { $ref: '#/channels/feed' }
    messages: [{ $ref: '#/channels/feed/messages/anything' }]
  onNote:
    action: receive
    channel: { $ref: '#/channels/feed' }
    messages: [{ $ref: '#/channels/feed/messages/note' }]
`;

interface NeighbourHandlers {
  onTrade(handler: (event: { payload: { price: number } }) => void, options?: { queueGroup?: string }): Promise<unknown>;
  onQuote(handler: (event: { payload: { bid: number } }) => void): Promise<unknown>;
  sendStatus(input: { params: { region: string }; payload: { type: 'status' } }): Promise<void>;
}

interface NeighbourModule {
  createApp(options: { transport: unknown; validate?: 'none'; onError: (error: Error & { kind: string; operation: string }) => void }): NeighbourHandlers;
}

describe('several operations on one address', () => {
  it('hands each operation its own messages, skips the others\' and its own echo, and still reports what fits none', async () => {
    const { generated, memory } = await generateModules<NeighbourModule, {
      createMemoryTransport(): { publish(message: { address: string; payload: Uint8Array; headers: Record<string, string> }): Promise<void>; whenIdle(): Promise<void> };
    }>('neighbours', NEIGHBOURS);
    const transport = memory.createMemoryTransport();
    const errors: Array<{ kind: string; operation: string }> = [];
    const app = generated.createApp({ transport, onError: (error) => errors.push({ kind: error.kind, operation: error.operation }) });
    const trades: number[] = [];
    const quotes: number[] = [];
    await app.onTrade((event) => {
      trades.push(event.payload.price);
    });
    await app.onQuote((event) => {
      quotes.push(event.payload.bid);
    });
    const raw = (value: unknown): Promise<void> =>
      transport.publish({ address: 'feed/eu', payload: new TextEncoder().encode(JSON.stringify(value)), headers: {} });
    await raw({ type: 'trade', price: 10 });
    await raw({ type: 'quote', bid: 9 });
    await app.sendStatus({ params: { region: 'eu' }, payload: { type: 'status' } });
    await raw({ type: 'trade', price: 'ten' });
    // A note requires nothing, but carries its discriminator: the others skip it.
    await raw({ type: 'note', text: 'hello' });
    // This accepts the note schema too ({} does), but carries no `type`: not a note, so reported.
    await raw({ price: 'ten' });
    await transport.whenIdle();
    expect(trades).toEqual([10]);
    expect(quotes).toEqual([9]);
    // The message of onAnything (schema `type: object`) is a neighbour too loose to claim anything:
    // the invalid trade is still reported to both.
    expect(errors.map((error) => `${error.operation}:${error.kind}`).sort()).toEqual(['onQuote:validation', 'onQuote:validation', 'onTrade:validation', 'onTrade:validation']);

    // With receive validation off nothing tells the messages apart: every handler gets every message.
    const unchecked = generated.createApp({ transport, validate: 'none', onError: (error) => errors.push({ kind: error.kind, operation: error.operation }) });
    const everything: unknown[] = [];
    await unchecked.onTrade((event) => {
      everything.push(event.payload);
    });
    // In a queue group this subscription competes for messages: a quote skipped here would be lost, so it is reported.
    const grouped: number[] = [];
    errors.length = 0;
    await app.onTrade((event) => {
      grouped.push(event.payload.price);
    }, { queueGroup: 'traders' });
    await raw({ type: 'quote', bid: 8 });
    await transport.whenIdle();
    expect(everything).toEqual([{ type: 'quote', bid: 8 }]);
    expect(grouped).toEqual([]);
    expect(errors.map((error) => `${error.operation}:${error.kind}`)).toEqual(['onTrade:validation']);
  }, 60_000);
});
