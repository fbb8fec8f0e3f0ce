/** The generation-time check of WebSocket bindings (no server needed). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { checkWsBindings } from '../../../src/generate/bindings/ws.js';
import { loadDocument } from '../../../src/load/index.js';
import { normalizeDocument } from '../../../src/model/normalize/index.js';

// Generous: the machine is shared and loaded; nothing here waits for a timeout on purpose.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

async function modelOf(yaml: string): Promise<ReturnType<typeof normalizeDocument>['model']> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ws-bindings-')), 'asyncapi.yaml');
  writeFileSync(file, yaml);
  const loaded = await loadDocument(file);
  if (loaded.document === undefined) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  return normalizeDocument(loaded.document.json).model;
}

const document = (channelBinding: string, extra = ''): string => `asyncapi: 3.0.0
info: { title: WebSocket bindings, version: 1.0.0 }
servers:
  hub:
    host: 127.0.0.1:8080
    protocol: ws
${extra}
channels:
  rooms:
    address: 'rooms/{room}'
    parameters: { room: {} }
    bindings:
      ws: ${channelBinding}
    messages:
      chat:
        payload: { type: object }
operations:
  sendChat:
    action: send
    channel: { $ref: '#/channels/rooms' }
`;

describe('checkWsBindings', () => {
  it('accepts what the transport honours: GET, query and headers schemas, bindingVersion', async () => {
    const model = await modelOf(document(`{ method: GET, bindingVersion: 0.1.0, query: { type: object, properties: { token: { type: string } } }, headers: { type: object } }`));
    expect(checkWsBindings(model)).toEqual([]);
  });

  it('warns, at the owning object, about every field it does not honour', async () => {
    const extra = `    bindings:
      ws: { bindingVersion: 0.1.0, reconnect: true }`;
    const model = await modelOf(document(`{ method: POST, bindingVersion: 0.1.0 }`, extra));
    // The parser refuses malformed ws bindings; documents it lets through (other binding versions) may still have them.
    const channel = model.channels[0];
    if (channel === undefined) throw new Error('no channel');
    const malformed = { ...channel, bindings: { ws: { ...channel.bindings['ws'], query: 'token=1', subprotocol: 'chat' } } };
    const diagnostics = checkWsBindings({ ...model, channels: [malformed], operations: [] });
    expect(diagnostics.map(({ severity, code, pointer }) => ({ severity, code, pointer }))).toEqual([
      { severity: 'warning', code: 'binding-unsupported', pointer: '/servers/hub' },
      { severity: 'warning', code: 'binding-unsupported', pointer: '/channels/rooms' },
      { severity: 'warning', code: 'binding-unsupported', pointer: '/channels/rooms' },
      { severity: 'warning', code: 'binding-unsupported', pointer: '/channels/rooms' },
    ]);
    expect(diagnostics.map((diagnostic) => diagnostic.message)).toEqual([
      expect.stringContaining("server 'hub': ws binding 'reconnect' is ignored"),
      expect.stringContaining("ws binding 'method' is \"POST\", but a WebSocket handshake is always a GET request"),
      expect.stringContaining("ws binding 'query' must be a Schema Object"),
      expect.stringContaining("ws binding 'subprotocol' is not a WebSocket binding field"),
    ]);
  });

  it('warns about POST in a document the parser accepts', async () => {
    const diagnostics = checkWsBindings(await modelOf(document(`{ method: POST }`)));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ severity: 'warning', code: 'binding-unsupported', pointer: '/channels/rooms' });
  });
});
