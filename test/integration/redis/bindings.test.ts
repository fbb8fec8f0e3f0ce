/** The generation-time check of redis bindings (no broker needed). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRedisBindings } from '../../../src/generate/bindings/redis.js';
import { loadDocument } from '../../../src/load/index.js';
import { normalizeDocument } from '../../../src/model/normalize/index.js';

async function modelOf(yaml: string): Promise<ReturnType<typeof normalizeDocument>['model']> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'redis-bindings-')), 'asyncapi.yaml');
  writeFileSync(file, yaml);
  const loaded = await loadDocument(file);
  if (loaded.document === undefined) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  return normalizeDocument(loaded.document.json).model;
}

const DOCUMENT = `asyncapi: 3.0.0
info: { title: Redis bindings, version: 1.0.0 }
servers:
  cache:
    host: 127.0.0.1:6379
    protocol: redis
    bindings:
      redis: { bindingVersion: 0.1.0, cluster: true }
channels:
  events:
    address: events
    bindings:
      redis: { stream: true }
    messages:
      event:
        payload: { type: object }
        bindings:
          redis: { ttl: 5, bindingVersion: 0.1.0 }
operations:
  sendEvent:
    action: send
    channel: { $ref: '#/channels/events' }
    bindings:
      redis: { bindingVersion: 0.1.0 }
  receiveEvent:
    action: receive
    channel: { $ref: '#/channels/events' }
    bindings:
      redis: { consumerGroup: workers }
`;

describe('checkRedisBindings', () => {
  it('warns once per redis binding field, at the owning object, and accepts bindingVersion', async () => {
    const diagnostics = checkRedisBindings(await modelOf(DOCUMENT));
    expect(diagnostics.map(({ severity, code, pointer }) => ({ severity, code, pointer }))).toEqual([
      { severity: 'warning', code: 'binding-unsupported', pointer: '/servers/cache' },
      { severity: 'warning', code: 'binding-unsupported', pointer: '/channels/events' },
      { severity: 'warning', code: 'binding-unsupported', pointer: '/operations/receiveEvent' },
      { severity: 'warning', code: 'binding-unsupported', pointer: '/channels/events/messages/event' },
    ]);
    expect(diagnostics.map((diagnostic) => diagnostic.message)).toEqual([
      expect.stringContaining("server 'cache': the redis binding field 'cluster'"),
      expect.stringContaining("channel 'events': the redis binding field 'stream'"),
      expect.stringContaining("operation 'receiveEvent': the redis binding field 'consumerGroup'"),
      expect.stringContaining("message 'event': the redis binding field 'ttl'"),
    ]);
  }, 30_000);

  it('says nothing about documents without redis bindings', async () => {
    const model = await modelOf(`asyncapi: 3.0.0
info: { title: Other bindings, version: 1.0.0 }
channels:
  events:
    address: events
    messages:
      event: { payload: { type: object } }
operations:
  sendEvent:
    action: send
    channel: { $ref: '#/channels/events' }
    bindings:
      mqtt: { qos: 1 }
`);
    expect(checkRedisBindings(model)).toEqual([]);
  }, 30_000);
});
