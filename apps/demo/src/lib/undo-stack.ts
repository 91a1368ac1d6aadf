/**
 * Undo/redo of whole snapshots (a 256² mask is 64 KiB, so 50 steps cost ~3 MiB and need no diffing).
 * `record(before)` is called before an edit with the state it is about to change.
 */
export class UndoStack<T> {
  private readonly past: T[] = [];
  private readonly future: T[] = [];

  constructor(private readonly limit = 50) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`UndoStack: limit must be a positive integer, got ${limit}.`);
  }

  record(before: T): void {
    this.past.push(before);
    if (this.past.length > this.limit) this.past.shift();
    this.future.length = 0; // a new edit forks history: the redo branch is gone
  }

  /** The state to go back to, given the current one (kept for redo); null when there is none. */
  undo(current: T): T | null {
    const prev = this.past.pop();
    if (prev === undefined) return null;
    this.future.push(current);
    return prev;
  }

  redo(current: T): T | null {
    const next = this.future.pop();
    if (next === undefined) return null;
    this.past.push(current);
    return next;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  clear(): void {
    this.past.length = 0;
    this.future.length = 0;
  }
}
