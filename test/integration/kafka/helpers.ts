/** Shared helpers of the Kafka integration tests. */
import { randomUUID } from 'node:crypto';
import type { AddressPattern, InboundMessage } from '../../../src/runtime/core/transport.js';
import { parseAddressTemplate, patternFor } from '../../../src/runtime/core/address.js';
import { sleep, waitUntil } from '../../support/waiting.js';
export { sleep };

/** A short run id, valid in topic names, so runs never see each other's topics. */
export function runId(): string {
  return `r${randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

export function pattern(template: string, fixed?: Readonly<Record<string, string>>): AddressPattern {
  return fixed === undefined ? parseAddressTemplate(template) : patternFor(template, fixed);
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(message: InboundMessage): string {
  return new TextDecoder().decode(message.payload);
}

export function eventually(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  return waitUntil(condition, what, timeoutMs, 20);
}

/** The partition a message arrived on, from the kafkajs payload the transport exposes as `raw`. */
export function partitionOf(message: InboundMessage): number {
  const raw = message.raw as { partition?: unknown } | undefined;
  if (typeof raw?.partition !== 'number') throw new Error('the inbound message carries no kafkajs partition');
  return raw.partition;
}

/** Options the tests give every transport: quick topic discovery, quiet kafkajs. */
export const TEST_OPTIONS = { topicRefreshIntervalMs: 200 } as const;
