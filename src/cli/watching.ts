/** Whether `generate --watch` runs, kept apart from the watch itself so that asking does not load it. */
let activeWatches = 0;

/** True while `generate --watch` runs: SIGINT should end the watch, not the process. */
export function isWatching(): boolean {
  return activeWatches > 0;
}

export function watchStarted(): void {
  activeWatches += 1;
}

export function watchEnded(): void {
  activeWatches -= 1;
}
