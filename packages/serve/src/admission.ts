/**
 * The bounded queue in front of the pool: a request is admitted while fewer than `capacity`
 * (busy workers + --max-queue) are admitted, else refused at once (429). Counting here, not in
 * piscina, makes the refusal immediate and independent of how piscina dispatches.
 */
export class Admission {
  private admitted = 0;

  constructor(readonly capacity: number) {}

  /** Requests admitted and not yet released (running or waiting). */
  get inFlight(): number {
    return this.admitted;
  }

  /** Admits one request; false when full. */
  tryAcquire(): boolean {
    if (this.admitted >= this.capacity) return false;
    this.admitted++;
    return true;
  }

  release(): void {
    if (this.admitted > 0) this.admitted--;
  }
}

/** A running mean that forgets slowly (weight `alpha` on each new sample); null before the first. */
export class MovingAverage {
  private mean: number | null = null;

  constructor(private readonly alpha = 0.2) {}

  add(sample: number): void {
    this.mean = this.mean === null ? sample : this.mean + this.alpha * (sample - this.mean);
  }

  get value(): number | null {
    return this.mean;
  }
}

/**
 * Retry-After for a refused request: about when a slot frees up, i.e. the waiting requests ahead
 * spread over the workers plus one task, rounded up to whole seconds (at least 1, at most 60).
 */
export function retryAfterSeconds(waiting: number, workers: number, taskMs: number | null): number {
  const ms = (taskMs ?? 1000) * (Math.max(0, waiting) / Math.max(1, workers) + 1);
  return Math.min(60, Math.max(1, Math.ceil(ms / 1000)));
}
