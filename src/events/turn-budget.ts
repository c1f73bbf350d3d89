// A budget of bytes per event-loop turn shared by many writers: what is claimed past it waits for a
// later turn (setImmediate), first come first served, so I/O callbacks run between the rounds.
export class TurnBudget {
  private used = 0;
  private armed = false;
  private readonly waiting: { bytes: number; go: () => void }[] = [];

  constructor(readonly bytesPerTurn: number) {}

  /**
   * Nothing when `bytes` may be written in this turn; otherwise a promise resolved in the turn in
   * which they may. The first claim of a turn always fits, whatever its size.
   */
  claim(bytes: number): Promise<void> | undefined {
    if (this.waiting.length === 0 && (this.used === 0 || this.used + bytes <= this.bytesPerTurn)) {
      this.used += bytes;
      this.arm();
      return undefined;
    }
    this.arm();
    return new Promise<void>((go) => this.waiting.push({ bytes, go }));
  }

  /** Claims waiting for a later turn. */
  get pending(): number {
    return this.waiting.length;
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    setImmediate(() => this.nextTurn());
  }

  private nextTurn(): void {
    this.armed = false;
    this.used = 0;
    while (this.waiting.length > 0) {
      const w = this.waiting[0];
      if (this.used > 0 && this.used + w.bytes > this.bytesPerTurn) break;
      this.waiting.shift();
      this.used += w.bytes;
      w.go();
    }
    if (this.used > 0) this.arm();
  }
}
