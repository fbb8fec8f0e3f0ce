/**
 * Channel parameters with schemas (a pattern, an enum, an integer range) are checked on both sides
 * alike: a sender validating rejects a value the receiver would reject, with the same issue paths
 * (`params:/name`), and publishes nothing; with send validation off the value travels and the
 * receiver reports it.
 */
import { describe, expect, it } from 'vitest';
import { generateModules } from '../support/generated.js';

const DOCUMENT = `asyncapi: 3.0.0
info: { title: Parameters, version: '1' }
channels:
  readings:
    address: 'sites/{site}/{kind}/{floor}'
    parameters:
      site: { description: a site code }
      kind: { enum: [temperature, humidity] }
      floor: { description: a floor number }
    messages:
      reading:
        payload:
          type: object
          required: [value]
          properties:
            value: { type: number }
components:
  parameters: {}
operations:
  publishReading:
    action: send
    channel: { $ref: '#/channels/readings' }
`;

/** The same channel in AsyncAPI 2, where parameters carry full schemas. */
const DOCUMENT_V2 = `asyncapi: 2.6.0
info: { title: Parameters, version: '1' }
channels:
  'sites/{site}/{kind}/{floor}':
    parameters:
      site: { schema: { type: string, pattern: '^[A-Z]{3}$' } }
      kind: { schema: { type: string, enum: [temperature, humidity] } }
      floor: { schema: { type: integer, minimum: 0, maximum: 99 } }
    subscribe:
      operationId: publishReading
      message:
        name: reading
        payload:
          type: object
          required: [value]
          properties:
            value: { type: number }
`;

interface ValidationFailure extends Error {
  readonly issues: ReadonlyArray<{ readonly path: string; readonly keyword: string }>;
}

type Params = Record<string, string | number>;

interface Generated {
  createApp(options: { transport: unknown; validate?: 'both' | 'none' }): { publishReading(input: { params: Params; payload: { value: number } }): Promise<void> };
  createClient(options: { transport: unknown; onError: (error: Error & { kind: string; issues: ReadonlyArray<{ path: string }> }) => void }): {
    publishReading(handler: (event: { params: Params; payload: { value: number } }) => void): Promise<unknown>;
  };
}

interface Memory {
  createMemoryBroker(): unknown;
  createMemoryTransport(options: { broker: unknown }): { whenIdle(): Promise<void> };
}

async function setUp(name: string, document: string, validate: 'both' | 'none') {
  const { generated, memory } = await generateModules<Generated, Memory>(name, document);
  const broker = memory.createMemoryBroker();
  const sending = memory.createMemoryTransport({ broker });
  const receiving = memory.createMemoryTransport({ broker });
  const received: Params[] = [];
  const reported: Array<{ kind: string; paths: string[] }> = [];
  const client = generated.createClient({ transport: receiving, onError: (error) => reported.push({ kind: error.kind, paths: error.issues.map((issue) => issue.path) }) });
  await client.publishReading((event) => received.push(event.params));
  const app = generated.createApp({ transport: sending, validate });
  const settle = async (): Promise<void> => {
    await sending.whenIdle();
    await receiving.whenIdle();
  };
  return { app, received, reported, settle };
}

describe('channel parameters with schemas', () => {
  it('a validating sender rejects the values the schemas refuse, with every failing parameter, and sends nothing', async () => {
    const { app, received, reported, settle } = await setUp('parameters-v2', DOCUMENT_V2, 'both');
    const failure = await app.publishReading({ params: { site: 'lon', kind: 'pressure', floor: 120 }, payload: { value: 1 } }).then(
      () => undefined,
      (error: unknown) => error as ValidationFailure,
    );
    expect(failure?.name).toBe('ValidationError');
    expect(failure?.message).toMatch(/Invalid parameters for operation 'publishReading'/);
    expect(failure?.issues.map((issue) => `${issue.path} ${issue.keyword}`)).toEqual(['params:/site pattern', 'params:/kind enum', 'params:/floor maximum']);
    await app.publishReading({ params: { site: 'LON', kind: 'humidity', floor: 3 }, payload: { value: 2 } });
    await settle();
    expect(received).toEqual([{ site: 'LON', kind: 'humidity', floor: 3 }]);
    expect(reported).toEqual([]);
  });

  it('with send validation off the value travels, and the validating receiver reports it with the same paths', async () => {
    const { app, received, reported, settle } = await setUp('parameters-v2-unchecked', DOCUMENT_V2, 'none');
    await app.publishReading({ params: { site: 'lon', kind: 'humidity', floor: 3 }, payload: { value: 1 } });
    await settle();
    expect(received).toEqual([]);
    expect(reported).toEqual([{ kind: 'address', paths: ['params:/site'] }]);
  });

  it('AsyncAPI 3 parameters (enum only) are checked on send as on receipt', async () => {
    const { app, received, settle } = await setUp('parameters-v3', DOCUMENT, 'both');
    await expect(app.publishReading({ params: { site: 'any', kind: 'pressure', floor: '1' }, payload: { value: 1 } })).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [{ path: 'params:/kind', keyword: 'enum' }],
    });
    await app.publishReading({ params: { site: 'any', kind: 'temperature', floor: '1' }, payload: { value: 1 } });
    await settle();
    expect(received).toEqual([{ site: 'any', kind: 'temperature', floor: '1' }]);
  });
});
