import { Injectable } from '@nestjs/common';
import { AppError } from '../infra/errors/app-error';
import { packageVersion } from '../infra/paths';
import { ServerTime } from './server-time.model';

@Injectable()
export class ServerTimeService {
  private readonly version = packageVersion();

  now(): ServerTime {
    return { iso: new Date().toISOString(), version: this.version };
  }

  /** An async iterator that yields the time every intervalMs until the client unsubscribes. */
  ticks(intervalMs: number): AsyncIterableIterator<ServerTime> {
    if (!Number.isInteger(intervalMs) || intervalMs < 50 || intervalMs > 60000) {
      throw new AppError(
        'validation-failed',
        `intervalMs must be an integer in 50..60000, got ${intervalMs}`,
      );
    }
    let done = false;
    let wake: (() => void) | undefined;
    let pending = 1; // the first tick is immediate
    const now = (): ServerTime => this.now();
    const stop = (): void => {
      done = true;
      clearInterval(timer);
      wake?.();
    };
    const timer = setInterval(() => {
      pending++;
      wake?.();
    }, intervalMs);
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<ServerTime>> {
        while (!done && pending === 0) await new Promise<void>((r) => (wake = r));
        if (done) return { done: true, value: undefined };
        pending = 0;
        return { done: false, value: now() };
      },
      async return(): Promise<IteratorResult<ServerTime>> {
        stop();
        return { done: true, value: undefined };
      },
    };
  }
}
