/**
 * What test/soak/soak.test.ts hands the soak scenario and gets back. A file of its own, without
 * imports, so that the test can be type-checked where it is while the scenario is type-checked
 * next to the generated code it imports (both files are copied there).
 */
export interface SoakOptions<Transport> {
  readonly publisher: Transport;
  readonly receiver: Transport;
  readonly total: number;
  /** Messages published at once before waiting for their publish calls. */
  readonly window: number;
  /** Heap in use after a full garbage collection, in bytes. */
  readonly heapAfterGc: () => number;
}

export interface SoakReport {
  readonly good: number;
  /** Good messages the handler saw at least once. */
  readonly handledGood: number;
  /** Handler calls beyond the first for one id. */
  readonly duplicates: number;
  /** Errors reported to onError, by kind. */
  readonly errors: Readonly<Record<string, number>>;
  /** Bad messages sent, by the kind of error they should cause. */
  readonly expectedErrors: Readonly<Record<string, number>>;
  /** Errors whose raw message was missing. */
  readonly errorsWithoutRaw: number;
  /** Heap growth from the end of the warm-up quarter to the end, after GC. */
  readonly heapGrowthBytes: number;
  readonly millis: number;
}
