// Events per second over a sliding window of whole seconds (the current, partial second is
// excluded so the rate does not dip every time a new second starts).

export class RateMeter {
  private readonly counts: Float64Array;
  private readonly seconds: Float64Array;

  constructor(private readonly windowSeconds = 5) {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new Error('windowSeconds must be a positive integer');
    // One extra slot holds the current second.
    this.counts = new Float64Array(windowSeconds + 1);
    this.seconds = new Float64Array(windowSeconds + 1).fill(-1);
  }

  add(n: number, nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    const slot = sec % this.counts.length;
    if (this.seconds[slot] !== sec) {
      this.seconds[slot] = sec;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] ?? 0) + n;
  }

  /** Average per second over the last `windowSeconds` complete seconds. */
  rate(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const sec = this.seconds[i] ?? -1;
      if (sec < current && sec >= current - this.windowSeconds) sum += this.counts[i] ?? 0;
    }
    return sum / this.windowSeconds;
  }
}
