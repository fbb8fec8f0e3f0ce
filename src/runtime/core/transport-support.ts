/**
 * Small helpers the broker transports share: the errors they throw (request
 * timeout, closed transport), the request timeout check, the timer and abort
 * bookkeeping of a pending request, TLS files named by
 * `ASYNCAPI_<PROTOCOL>_CA/_CERT/_KEY`, and a few value checks.
 */
import { readFileSync } from 'node:fs';
import type { ServerSelection } from './servers.js';
import type { InboundMessage, RequestOptions, SubscribeOptions } from './transport.js';

/** Environment variables, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** `process.env`, or nothing where there is no process. */
export function processEnvironment(): Environment {
  return globalThis.process?.env ?? {};
}

// ---------------------------------------------------------------------------
// Errors

/** The message of an Error, else the value as text. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The Error, named `TimeoutError`, of a request to `address` that got no reply within `timeoutMs`. */
export function timeoutError(address: string, timeoutMs: number, quote: '"' | "'" = '"'): Error {
  const error = new Error(`Request to ${quote}${address}${quote} timed out after ${timeoutMs} ms without a reply`);
  error.name = 'TimeoutError';
  return error;
}

/** `closedError(action)` for a transport: "<transport> transport is closed; cannot <action>". */
export function closedErrorFor(transport: string): (action: string) => Error {
  return (action) => new Error(`${transport} transport is closed; cannot ${action}`);
}

// ---------------------------------------------------------------------------
// Pending limits

/** Messages that may wait for a handler, per subscription, before new ones are dropped. */
export const DEFAULT_MAX_PENDING = 10_000;

/** Throws a RangeError unless `value` is a usable `maxPending` (a positive integer or Infinity). */
export function checkedMaxPending(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_PENDING;
  if (value === Infinity || (Number.isInteger(value) && value > 0)) return value;
  throw new RangeError(`maxPending must be a positive integer or Infinity, got ${value}`);
}

/** Reports a message dropped because `limit` messages already wait for its subscription's handler. */
export function reportOverflow(transport: string, message: InboundMessage, limit: number, onDropped: SubscribeOptions['onDropped']): void {
  const reason = `${transport}: ${limit} messages already wait for this subscription's handler (maxPending); the message on '${message.address}' is dropped`;
  if (onDropped === undefined) {
    console.error(reason);
    return;
  }
  try {
    onDropped(message, reason);
  } catch (error) {
    // Called from inside routing: a throwing report must not cost other subscriptions their message.
    console.error(`${reason}; reporting it failed: ${describe(error)}`);
  }
}

// ---------------------------------------------------------------------------
// Requests

/** The longest timeout `setTimeout` honours. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Throws a RangeError unless `timeoutMs` is a usable request timeout. */
export function checkRequestTimeout(timeoutMs: number): void {
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new RangeError(`Request timeout must be between 0 and ${MAX_TIMEOUT_MS} ms, got ${timeoutMs}`);
  }
}

type RequestWatchOptions = Pick<RequestOptions, 'timeoutMs' | 'signal'>;

/**
 * Starts a pending request's timer and abort listener: `onTimeout` runs after
 * `timeoutMs`, `onAbort` with the signal's reason when it aborts. The returned
 * function stops both.
 */
export function watchRequest(options: RequestWatchOptions, onTimeout: () => void, onAbort: (reason: unknown) => void): () => void {
  const { timeoutMs, signal } = options;
  const timer = setTimeout(onTimeout, timeoutMs);
  const abort = (): void => onAbort(signal?.reason);
  signal?.addEventListener('abort', abort, { once: true });
  return () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  };
}

/** A request waiting for its reply, settled once only. */
export interface PendingRequest {
  readonly settled: boolean;
  /** The first time only: stops the timer and abort listener, runs the cleanup, then `settle`. */
  finish(settle: () => void): void;
}

/**
 * Tracks a request: rejects with `timeoutError()` after the timeout, with the
 * signal's reason when it aborts; `cleanup` runs once, whichever way it settles.
 */
export function trackRequest(
  options: RequestWatchOptions,
  reject: (error: unknown) => void,
  timeoutError: () => Error,
  cleanup: () => void,
): PendingRequest {
  let settled = false;
  const finish = (settle: () => void): void => {
    if (settled) return;
    settled = true;
    stop();
    cleanup();
    settle();
  };
  const stop = watchRequest(
    options,
    () => finish(() => reject(timeoutError())),
    (reason) => finish(() => reject(reason)),
  );
  return {
    get settled() {
      return settled;
    },
    finish,
  };
}

// ---------------------------------------------------------------------------
// Connection settings

/** Only the `url` and `server` of the options. */
export function selectionOf(options: ServerSelection): ServerSelection {
  return {
    ...(options.url === undefined ? {} : { url: options.url }),
    ...(options.server === undefined ? {} : { server: options.server }),
  };
}

export type TlsFileField = 'ca' | 'cert' | 'key';

export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Reads the files named by `ASYNCAPI_<PROTOCOL>_CA`, `_CERT` and `_KEY`
 * (unset or empty: none, and none for a field `skip` names). A file that
 * cannot be read throws `cannotRead(variable, file, error)`.
 */
export function readTlsFiles(
  protocol: string,
  env: Environment,
  cannotRead: (variable: string, file: string, error: unknown) => Error,
  skip: (field: TlsFileField) => boolean = () => false,
): TlsFiles {
  const files: TlsFiles = {};
  for (const field of ['ca', 'cert', 'key'] as const) {
    const variable = `ASYNCAPI_${protocol}_${field.toUpperCase()}`;
    const file = env[variable];
    if (file === undefined || file === '' || skip(field)) continue;
    try {
      files[field] = readFileSync(file);
    } catch (error) {
      throw cannotRead(variable, file, error);
    }
  }
  return files;
}

// ---------------------------------------------------------------------------
// Values

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A plain object whose values are all strings. */
export function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((entry) => typeof entry === 'string');
}
