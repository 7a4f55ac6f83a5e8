// A byte budget for request bodies being read at once, so that many large deliveries cannot exhaust memory.

/**
 * Hands out room for bodies in flight: `reserve(n)` resolves once `n` bytes fit in the budget, in
 * arrival order, and the returned function gives them back. A body larger than the whole budget
 * still gets through, alone, so that no delivery GitLab may send waits forever.
 *
 * @example
 * const release = await budget.reserve(declaredLength);
 * try { … read and store the body … } finally { release(); }
 */
export class BodyBudget {
  private inFlight = 0;
  private readonly waiting: { bytes: number; resolve: () => void }[] = [];

  constructor(private readonly limitBytes: number) {}

  /** Bytes reserved by bodies being read or stored now. */
  get bytesInFlight(): number {
    return this.inFlight;
  }

  /** Bodies waiting for room. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Whether `reserve(bytes)` would wait now. */
  wouldWait(bytes: number): boolean {
    return this.waiting.length > 0 || !this.fits(bytes);
  }

  async reserve(bytes: number): Promise<() => void> {
    if (this.wouldWait(bytes)) {
      await new Promise<void>((resolve) => this.waiting.push({ bytes, resolve }));
    } else {
      this.inFlight += bytes;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= bytes;
      this.wakeNext();
    };
  }

  private fits(bytes: number): boolean {
    return this.inFlight === 0 || this.inFlight + bytes <= this.limitBytes;
  }

  /** Lets waiting bodies in, oldest first, while they fit: a large one is not overtaken by smaller ones. */
  private wakeNext(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.inFlight += next.bytes;
      next.resolve();
    }
  }
}
