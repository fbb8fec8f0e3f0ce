/**
 * `layoutTemplatePiece` (pieces of index.ts, types.ts, channels.ts and servers.ts printed without
 * prettier) must give prettier's bytes whenever it gives anything: on hand-written cases of every
 * shape, flat and broken, and on every piece of those files for every fixture, corpus and synthetic
 * document, including documents whose names are long enough to break each shape. The pieces
 * formatted one by one must also give the bytes of the whole file formatted at once (`chunks.ts`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticDocument } from '../../bench/synthetic.js';
import { joinFormatted, splitForFormatting } from '../../src/format/chunks.js';
import { layoutTemplatePiece } from '../../src/format/template-layout.js';
import { formatTypeScript } from '../../src/format/prettier.js';
import { TemplateRenderer } from '../../src/render/handlebars.js';
import { tempDir } from '../cache/helpers.js';
import { PROJECT_ROOT } from '../support/generated.js';
import { CORPUS, documentsUnder, renderedFile } from './documents.js';

async function expectPrettiersBytes(text: string, label: string): Promise<boolean> {
  const layout = layoutTemplatePiece(text);
  if (layout === undefined) return false;
  expect(layout, label).toBe(await formatTypeScript(text));
  return true;
}

const long = (base: string, length: number): string => `${base}${'X'.repeat(Math.max(0, length - base.length))}`;

/** A 3.0 document whose channel, message and operation names are about `length` characters long, with a request/reply operation. */
function longNamesDocument(length: number): string {
  const op = long('publishSomething', length);
  const reply = long('askForSomething', length);
  const message = long('SomethingHappened', length);
  const answer = long('AnswerGiven', length);
  return [
    'asyncapi: 3.0.0',
    `info: { title: Long names ${length}, version: 1.0.0 }`,
    'channels:',
    '  events:',
    `    address: 'area/{${long('entityId', Math.min(length, 40))}}/events'`,
    `    parameters: { ${long('entityId', Math.min(length, 40))}: { description: The entity. } }`,
    `    messages: { ${message}: { $ref: '#/components/messages/${message}' } }`,
    '  questions:',
    '    address: questions',
    `    messages: { ${answer}: { payload: { type: object, properties: { text: { type: string } } } }, ask: { correlationId: { location: '$message.header#/correlationId' }, payload: { type: string } } }`,
    'operations:',
    `  ${op}: { action: send, channel: { $ref: '#/channels/events' }, bindings: { kafka: { groupId: { type: string, enum: [${long('group', length)}] }, bindingVersion: '0.5.0' } } }`,
    `  ${reply}:`,
    '    action: send',
    "    channel: { $ref: '#/channels/questions' }",
    `    messages: [{ $ref: '#/channels/questions/messages/ask' }]`,
    `    reply: { channel: { $ref: '#/channels/questions' }, messages: [{ $ref: '#/channels/questions/messages/${answer}' }] }`,
    'components:',
    '  messages:',
    `    ${message}:`,
    '      headers: { type: object, properties: { trace: { type: string } } }',
    '      payload: { type: object, required: [id], properties: { id: { type: string } } }',
    '',
  ].join('\n');
}

describe('the template layout', () => {
  it('prints each shape as prettier does, flat and broken, and declines what it does not know', async () => {
    const width = (name: string, length: number): string => long(name, length);
    const handled = [
      "// Generated.\n/**\n * Title\n *\n *   indented text stays\n */\n\nimport { a, type B } from './core/x.js';\nimport type { C } from './y.js';\n",
      `import { ${['a', 'b', 'c', 'd', 'e', 'f'].map((n) => width(n, 14)).join(', ')} } from './core/operations.js';\n`,
      `import type { ${width('OnlyOneNameThatIsVeryLong', 98)} } from './types.js';\n`,
      `export type { ${width('Aaa', 50)}, ${width('Bbb', 50)} } from './core/transport.js';\nexport * from './types.js';\nexport { servers } from './servers.js';\nexport type ClientOptions = AppOptions;\n`,
      "export interface AppOptions {\n\n  /** The transport, described at a length that goes well past the print width of one hundred columns. */\n  readonly transport: Transport;\n\n\n  readonly validate?: ValidateMode;\n\n}\n",
      'export interface App {\n}\n',
      `export function createApp(options: AppOptions): App {\n  const runtime = createOperationRuntime(options);\n  return {\n    ${width('b', 40)}: (input, requestOptions) => runtime.request<${width('Reply', 50)}>(bOperation, input, requestOptions),\n  };\n}\n`,
      `export type Long = ${Array.from({ length: 12 }, (_, index) => `'value${index}'`).join(' | ')};\n`,
      `export interface App {\n  /**\n   * Sends.\n   */\n  ${width('send', 40)}(input: ${width('SendInput', 50)}): Promise<void>;\n  ${width('ask', 30)}(input: ${width('AskInput', 30)}, options?: RequestOptions): Promise<${width('AskReply', 20)}>;\n  receive(handler: (event: ReceiveEvent) => void | Promise<void>, options?: ReceiveOptions<Record<string, never>>): Promise<Subscription>;\n}\n`,
      `export function createApp(options: AppOptions): App {\n  const runtime = createOperationRuntime({ ...options, validate: options.validate ?? "send" });\n  return {\n    a: (input) => runtime.send(aOperation, input),\n    ${width('b', 40)}: (handler, receiveOptions) => runtime.receive(${width('bOperation', 40)}, handler, receiveOptions),\n  };\n}\n`,
      'export function createClient(options: ClientOptions): Client {\n  const runtime = createOperationRuntime(options);\n  return {\n  };\n}\n',
      "const aMessage = { name: 'A', contentType: 'application/json', } satisfies MessageDescriptor;\nconst bMessage = { name: \"it's\", discriminators: ['kind'], correlationId: { source: 'payload', path: ['a', 'b'] }, bindings: { kafka: { key: { type: 'string' }, bindingVersion: '0.5.0', partitions: 3, ratio: -0.5, empty: {}, none: [] } }, } satisfies MessageDescriptor;\n",
      `const ${width('op', 60)} = { id: '${width('x', 70)}', channel: c, messages: [${width('m', 45)}, ${width('n', 45)}], } satisfies OperationDescriptor;\n`,
      "/**\n * Input.\n */\nexport type AInput = \n  | { readonly message?: 'A'; readonly payload: P; };\n\nexport type B = { readonly payload: unknown; readonly headers?: Record<string, string>; readonly key?: string;  };\n",
      `export type Two = \n  | { readonly message?: 'A'; readonly payload: P; }\n  | { readonly message?: 'B'; readonly payload: Q; };\nexport type Wide = \n  | { readonly message?: 'A'; readonly payload: ${width('P', 40)}; }\n  | { readonly message?: 'B'; readonly payload: Q; };\nexport type Wider = \n  | { readonly message?: 'A'; readonly payload: ${width('P', 70)}; readonly headers: Record<string, string>; }\n  | { readonly message?: 'B'; readonly payload: ${width('Q', 60)}; };\n`,
      "const q = { 'quoted-key': 1, 'plain': 2, \"it's\": 3, '1': 4, } satisfies T;\n" +
        'const a = { list: [{ a: 1, b: 2 }, { a: 3, b: 4 }], one: [{ a: 1 }], } satisfies T;\nconst b = { list: [{ a: 1 }, { b: 2 }], } satisfies T;\n',
      "export interface Headers {\n  'my-app-header'?: number;\n  'quoted': string;\n  \"double\"?: string;\n  '1': string;\n  [key: string]: unknown;\n  nested?: {\n    /** Inner. */\n    inner: string | null;\n\n    deeper: {\n      [key: string]: never;\n    };\n  };\n  list?: {\n    a?: (A | B)[];\n  }[];\n}\n\nexport type Params = {\n  readonly id: string;\n};\nexport type Empty = {\n};\nexport type Alias = 'a' | 'b';\nexport type Tuple = [A?, string?, ...unknown[]];\nexport type Ranked = number & (0 | 1 | 2);\nexport {};\n",
      `export const aChannel = defineChannel<AParams>({ address: 'a/{id}', parameters: [{ name: 'id', kind: 'string' }] });\nexport const bChannel = defineChannel({ address: '${width('b', 70)}', parameters: [] });\nexport const cChannel = defineChannel<CParams>({ address: 'c/{x}/{y}', parameters: [{ name: 'x', kind: 'string' }, { name: 'y', kind: 'integer' }], bindings: { mqtt: { qos: 1 } } });\n`,
      "export const servers: ReadonlyArray<ServerDefinition> = [\n  { name: 'a', protocol: 'nats', host: 'localhost:4222' },\n];\n",
      `export const servers: ReadonlyArray<ServerDefinition> = [\n  { name: 'a', protocol: 'nats', host: 'localhost:4222', variables: { port: { default: '${width('1', 60)}' } } },\n];\n`,
      "export const servers: ReadonlyArray<ServerDefinition> = [\n  /**\n * The broker.\n *\n *   indented\n */\n{ name: 'a', protocol: 'nats', host: 'localhost:4222' },\n  { name: 'b', protocol: 'nats', host: 'localhost:4223' },\n];\n",
      'export const servers: ReadonlyArray<ServerDefinition> = [\n];\n',
    ];
    for (const text of handled) expect(await expectPrettiersBytes(text, text), text).toBe(true);
    const declined = [
      'const a = { numbers: [1, 2, 3], } satisfies T;\n',
      `const a = { ${width('key', 30)}: '${width('value', 80)}', } satisfies T;\n`,
      'const a = { t: `template`, } satisfies T;\n',
      `export interface App {\n  receive(handler: (event: ${width('ReceiveEvent', 90)}) => void, options?: O): Promise<S>;\n}\n`,
      "export type A = { readonly message: 'a;b'; };\n",
      'export type A = { readonly nested: { a: string }; };\n',
      'export interface A {\n  empty?: {\n  };\n}\n',
      "export interface A {\n  'ünïcode'?: string;\n}\n",
      // A union of anything but strings, numbers and names, too long for its line.
      `export type Long = ${Array.from({ length: 12 }, (_, index) => `Array<'value${index}'>`).join(' | ')};\n`,
      'export const a = f({ list: [[1, 2], [3, 4]] });\n',
      // prettier rewrites some numbers (exponents, parenthesized negatives, trailing zeros, leading
      // dots, prefixes): such pieces go to it.
      'export type Ranked = number & (-1 | 0 | 1);\n',
      'export type Big = 1e+21;\n',
      'export interface A {\n  a: 1.50;\n}\n',
      'export interface A {\n  a: .5;\n}\n',
      'export interface A {\n  a: 0xFF;\n}\n',
      // prettier measures display width (CJK characters count two columns), and other Unicode spaces
      // are not blank lines to it: code with non-ASCII characters goes to it.
      `export interface A {\n  status?: ${['承認済みの注文', '却下された注文', '保留中の注文申請', '処理中のリクエスト', '完了した処理'].map((text) => `'${text}'`).join(' | ')};\n}\n`,
      'export type A = B;\n\u00a0\nexport type C = D;\n',
      // Spacing prettier would change, and text it would refuse, are left to it.
      'export interface A {\n  a: string|number;\n}\n',
      'export interface A {\n  a:  string;\n}\n',
      'export interface A {\n  a: Array< string >;\n}\n',
      'export interface A {\n  a: [b, c,];\n}\n',
      'export interface A {\n  a: Array<string;\n}\n',
      'export interface App {\n  m( a: A ): void;\n}\n',
      "export type A = { readonly a: string, readonly b: number };\n",
      // Escapes stringLiteral never writes, which prettier 3 keeps as written; block comments in code.
      "const a = { b: 'x\\d', } satisfies T;\n",
      'const a = { b: "x\\"y", } satisfies T;\n',
      "export interface A {\n  a: string /* 'x' */;\n}\n",
      'const a = 1;\t\n',
      "const a = { 'ünïcode': 1, } satisfies T;\n",
      'let x = 1;\n',
      // A body of nothing but a comment (prettier may print it on the line of the braces), and a
      // function type with two parameters (prettier breaks between them).
      'export type A = {\n  /** only a comment */\n} & B;\n',
      'export type A = {\n  /** c */\n};\n',
      'export type A = {\n  n: {\n    /** c */\n  };\n};\n',
      `export interface App {\n  ${'m'.repeat(30)}(handler: (event: ${'E'.repeat(45)}, extra: ${'X'.repeat(45)}) => void, options?: O): Promise<S>;\n}\n`,
    ];
    for (const text of declined) expect(layoutTemplatePiece(text), text).toBeUndefined();
  });

  it('prints request/reply members with long names as prettier does: function-typed parameters and calls broken', async () => {
    const declined: Record<'app' | 'client', number[]> = { app: [], client: [] };
    for (let length = 4; length <= 90; length += 1) {
      const name = long('receiveSubscribe', length);
      const type = name.charAt(0).toUpperCase() + name.slice(1);
      const app = [
        'export interface App {',
        `  ${name}(handler: (event: ${type}Event) => ${type}ReplyInput | Promise<${type}ReplyInput>, options?: ReceiveOptions<Record<string, never>>): Promise<Subscription>;`,
        `  ${name}Send(input: ${type}Input): Promise<void>;`,
        '}',
        '',
      ].join('\n');
      const client = [
        'export function createClient(options: ClientOptions): Client {',
        '  const runtime = createOperationRuntime(options);',
        '  return {',
        `    ${name}: (input, requestOptions) => runtime.request<${type}Reply>(${name}Operation, input, requestOptions),`,
        `    ${name}Send: (handler, receiveOptions) => runtime.receive(${name}SendOperation, handler, receiveOptions),`,
        '  };',
        '}',
        '',
      ].join('\n');
      for (const [kind, text] of [['app', app], ['client', client]] as const) {
        if (!(await expectPrettiersBytes(text, text))) declined[kind].push(length);
      }
    }
    // Longer names make prettier break after `=>` and the union into lines (App), or the call's
    // first line overflow (Client): those go to prettier; every shorter one is laid out here.
    expect(Math.min(...declined.app)).toBeGreaterThan(29);
    expect(Math.min(...declined.client)).toBeGreaterThan(62);
  });

  it('prints an object type intersected with a name or a union of names as prettier does, and declines longer intersections', async () => {
    const bodies = [
      ['  [key: string]: unknown;'],
      ["  type: 'heartbeat';", '  /**', '   * A comment.', '   */', '  eventId?: number;'],
      ['  nested: {', '    a: string;', '  };', "  'quoted-key'?: \"it's\";"],
    ];
    const tails = ['Default', '(Heartbeat | Update)', `(${Array.from({ length: 8 }, (_, index) => `SomeLongerTypeName${index}`).join(' | ')})`, 'A & B', '{ b: number }'];
    const laidOut: string[] = [];
    for (const body of bodies) {
      for (const tail of tails) {
        const text = ['export type Market = {', ...body, `} & ${tail};`, ''].join('\n');
        if (await expectPrettiersBytes(text, text)) laidOut.push(tail);
      }
    }
    // Laid out: one name, or a union of names that fits; the others go to prettier.
    expect(laidOut).toEqual(bodies.flatMap(() => ['Default', '(Heartbeat | Update)']));
  });

  it('prints a long union type (an enum of many values) as prettier does: after `=`, else one member per line', async () => {
    const declined: string[] = [];
    let compared = 0;
    const kinds = {
      strings: (index: number, width: number) => `'${String(index).padStart(width, 's')}'`,
      doubleQuoted: (index: number, width: number) => `"${String(index).padStart(width, 'd')}"`,
      quotes: (index: number, width: number) => `"it's ${String(index).padStart(width, 'q')}"`,
      numbers: (index: number, width: number) => `${index % 2 === 0 ? '-' : ''}${String(index + 1).padStart(width, '9')}`,
      names: (index: number, width: number) => `Name${String(index).padStart(width, 'N')}`,
      mixed: (index: number, width: number) => (index % 3 === 0 ? 'null' : `'${String(index).padStart(width, 'm')}'`),
    };
    for (const [kind, member] of Object.entries(kinds)) {
      for (const nameLength of [10, 40]) {
        for (let count = 2; count <= 14; count += 1) {
          for (let width = 1; width <= 30; width += 1) {
            const members = Array.from({ length: count }, (_, index) => member(index, width));
            const line = `export type ${'T'.repeat(nameLength)} = ${members.join(' | ')};`;
            // Around the boundaries: the line just over the width, the union about one line's width.
            if (line.length <= 96 || members.join(' | ').length > 120) continue;
            compared += 1;
            if (!(await expectPrettiersBytes(`${line}\n`, line))) declined.push(`${kind} ${nameLength} ${count}x${width}`);
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
    expect(declined).toEqual([]);
  });

  it('prints a channel constant as prettier does around every width boundary: after `=`, hugged, argument on its own lines, broken after `=`', async () => {
    // Names chosen so the line up to the call's `(` and `({` ends at 96..106 characters, with and
    // without type arguments, for arguments that fit, that must break, that break anyway (two
    // parameter objects) and that cannot fit at all (a long address).
    const objects = [
      "{ address: 'a' }",
      "{ address: 'some/long/address/{x}/that/makes/the/line/long/enough/to/break', parameters: [{ name: 'x', kind: 'string' }] }",
      "{ address: 'a/{x}/{y}', parameters: [{ name: 'x', kind: 'string' }, { name: 'y', kind: 'number' }] }",
      `{ address: '${'a/'.repeat(50)}' }`,
    ];
    const declined: string[] = [];
    for (const typeArguments of ['', '<P>', '<SomeRatherLongParamsTypeName>']) {
      for (let headLength = 96; headLength <= 106; headLength += 1) {
        const fixed = `export const Channel = defineChannel${typeArguments}(`.length;
        const name = `${'c'.repeat(Math.max(1, headLength - fixed))}Channel`;
        for (const [index, object] of objects.entries()) {
          const laidOut = await expectPrettiersBytes(`export const ${name} = defineChannel${typeArguments}(${object});\n`, `${name}${typeArguments} ${object}`);
          if (!laidOut) declined.push(`${headLength}${typeArguments} object ${index}`);
        }
      }
    }
    // Only the address too long for any line goes to prettier (a long atom is not modelled).
    expect(declined.filter((label) => !label.endsWith('object 3'))).toEqual([]);
  });

  it("gives prettier's bytes for every piece of index.ts, types.ts, channels.ts and servers.ts of every fixture, corpus, synthetic and long-name document", { timeout: 600_000 }, async () => {
    const renderer = await TemplateRenderer.create(undefined);
    const folder = await tempDir('template-layout');
    const written = (name: string, text: string): string => {
      const file = path.join(folder, name);
      fs.writeFileSync(file, text);
      return file;
    };
    const generated = [
      ...[1, 30].map((channels) => written(`synthetic-${channels}.yaml`, syntheticDocument(channels))),
      ...[10, 30, 45, 60, 75, 90].map((length) => written(`long-${length}.yaml`, longNamesDocument(length))),
    ];
    const documents = [...documentsUnder(path.join(PROJECT_ROOT, 'fixtures')), ...documentsUnder(CORPUS), ...generated];
    for (const template of ['index', 'types', 'channels', 'servers'] as const) {
      let pieces = 0;
      let laidOut = 0;
      for (const file of documents) {
        const text = await renderedFile(file, renderer, template).catch(() => undefined);
        if (text === undefined) continue;
        const formattedPieces: string[] = [];
        for (const piece of splitForFormatting(text, 0, 0)) {
          pieces += 1;
          if (await expectPrettiersBytes(piece, `${file} (${template}):\n${piece}`)) laidOut += 1;
          formattedPieces.push(await formatTypeScript(piece));
        }
        expect(joinFormatted(formattedPieces), `${file} (${template})`).toBe(await formatTypeScript(text));
      }
      // Nearly every piece takes the fast path; were it to stop applying, this test would check little.
      expect(laidOut, template).toBeGreaterThan(pieces * 0.9);
      for (const file of generated.slice(0, 2)) {
        const text = (await renderedFile(file, renderer, template)) ?? '';
        expect(splitForFormatting(text, 0, 0).every((piece) => layoutTemplatePiece(piece) !== undefined), `${file} (${template})`).toBe(true);
      }
    }
  });
});
