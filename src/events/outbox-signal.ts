import { Injectable } from '@nestjs/common';

/** In-process nudge: EventsService committed outbox rows; the delivery worker need not wait for its
 * next poll. (Other instances find them by polling.) */
@Injectable()
export class OutboxSignal {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const l of this.listeners) l();
  }

  /** Returns the unsubscribe function. */
  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
