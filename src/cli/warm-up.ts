/**
 * Build step's workload (`dist/cli/write-code-cache.js`): the paths a run takes, run once, so
 * that the V8 code caches written afterwards hold them compiled. Generates a 3.0 and a 2.6
 * document for every transport through the command line, into a temporary folder, and loads a
 * minimal document of every supported version (each compiles its meta-schema validators).
 * Returns generated code of a document with many channels: the sample formatting workers warm
 * up on (`format/parallel.ts`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SUPPORTED_VERSIONS } from '../load/versions.js';
import { run } from './main.js';

const DOCUMENTS: Readonly<Record<string, string>> = {
  'v3.yaml': `asyncapi: 3.0.0
info: { title: Warm-up, version: 1.0.0, description: A document that exercises the common paths. }
servers:
  broker: { host: 'localhost:4222', protocol: nats }
channels:
  events:
    address: 'events.{id}'
    parameters: { id: { description: An id. } }
    messages:
      event: { $ref: '#/components/messages/Event' }
  questions:
    address: questions
    messages:
      question: { payload: { type: object, properties: { text: { type: string } } } }
  answers:
    address: answers
    messages:
      answer: { payload: { type: object, properties: { text: { type: string } } } }
operations:
  sendEvent: { action: send, channel: { $ref: '#/channels/events' } }
  receiveEvent: { action: receive, channel: { $ref: '#/channels/events' } }
  ask:
    action: send
    channel: { $ref: '#/channels/questions' }
    reply: { channel: { $ref: '#/channels/answers' } }
components:
  messages:
    Event:
      contentType: application/json
      headers: { type: object, properties: { trace: { type: string } } }
      payload:
        type: object
        required: [id, kind]
        properties:
          id: { type: string, format: uuid }
          at: { type: string, format: date-time }
          kind: { type: string, enum: [a, b] }
          count: { type: integer, minimum: 0 }
          tags: { type: array, items: { type: string } }
          nested: { oneOf: [{ type: string }, { type: object, additionalProperties: { type: number } }] }
      examples: [{ payload: { id: 6f1c1b7e-8d2a-4b52-9d8e-2f0a4c6b1e3d, kind: a } }]
`,
  'v2.yaml': `asyncapi: 2.6.0
info: { title: Warm-up, version: 1.0.0 }
servers:
  broker: { url: 'localhost:1883', protocol: mqtt }
channels:
  events/{id}:
    parameters: { id: { schema: { type: string } } }
    publish:
      operationId: sendEvent
      message:
        payload: { type: object, properties: { id: { type: string }, value: { type: number } } }
    subscribe:
      operationId: receiveEvent
      message:
        payload: { type: object, properties: { id: { type: string } } }
`,
};

/** Twelve channels with a parameter, a message of ten properties and two operations each: the shape of large documents. */
function manyChannelsDocument(): string {
  const channels: string[] = [];
  const operations: string[] = [];
  for (let index = 0; index < 12; index += 1) {
    const properties = Array.from({ length: 10 }, (_, field) => `            field${field}: { type: ${['string', 'number', 'boolean'][field % 3]}, description: Field ${field}. }`);
    channels.push(
      `  channel${index}:`,
      `    address: 'area${index % 3}.entity${index}.{entityId}'`,
      '    parameters: { entityId: { description: The entity. } }',
      '    messages:',
      `      event${index}:`,
      '        contentType: application/json',
      '        payload:',
      '          type: object',
      '          required: [field0]',
      '          properties:',
      ...properties,
    );
    operations.push(
      `  send${index}: { action: send, channel: { $ref: '#/channels/channel${index}' } }`,
      `  receive${index}: { action: receive, channel: { $ref: '#/channels/channel${index}' } }`,
    );
  }
  return ['asyncapi: 3.0.0', 'info: { title: Many channels, version: 1.0.0 }', 'servers:', "  broker: { host: 'localhost:4222', protocol: nats }", 'channels:', ...channels, 'operations:', ...operations, ''].join('\n');
}

/** The generated files whose formatting is most of a large run; each formats on its own. */
const FORMAT_SAMPLE_FILES = ['index.ts', 'types.ts', 'channels.ts'];

export async function warmUp(): Promise<{ readonly formatSample: ReadonlyArray<string> }> {
  const folder = mkdtempSync(path.join(tmpdir(), 'asyncapi-gen-warm-up-'));
  const output: string[] = [];
  const io = { stdout: (text: string) => output.push(text), stderr: (text: string) => output.push(text), cwd: folder, color: false };
  try {
    for (const [name, text] of Object.entries(DOCUMENTS)) {
      writeFileSync(path.join(folder, name), text);
      const code = await run(['generate', name, '-o', `out-${name}`, '--no-cache', '--no-config', '--transport', 'nats,mqtt,amqp,kafka,ws,redis'], io);
      if (code !== 0) throw new Error(`warming up on ${name} failed (exit ${code}):\n${output.join('')}`);
    }
    for (const version of SUPPORTED_VERSIONS) {
      const name = `minimal-${version}.yaml`;
      const channels = version.startsWith('2.') ? 'channels: {}\n' : '';
      writeFileSync(path.join(folder, name), `asyncapi: '${version}'\ninfo: { title: t, version: '1' }\n${channels}`);
      await run(['validate', name, '--no-cache'], io);
    }
    writeFileSync(path.join(folder, 'many.yaml'), manyChannelsDocument());
    const code = await run(['generate', 'many.yaml', '-o', 'out-many', '--no-cache', '--no-config'], io);
    if (code !== 0) throw new Error(`warming up on many.yaml failed (exit ${code}):\n${output.join('')}`);
    return { formatSample: FORMAT_SAMPLE_FILES.map((file) => readFileSync(path.join(folder, 'out-many', file), 'utf8')) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
