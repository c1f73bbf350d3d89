import { BoundedQueue } from './bounded-queue';

async function drain<T>(q: BoundedQueue<T>, n: number): Promise<{ value: T; dropped: number }[]> {
  const out: { value: T; dropped: number }[] = [];
  for (let i = 0; i < n; i++) {
    const r = await q.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('a subscriber that reads slower than events arrive', () => {
  it('keeps every message while the queue has room', async () => {
    const sut = new BoundedQueue<number>(3);
    [1, 2, 3].forEach((n) => sut.push(n));
    expect(await drain(sut, 3)).toEqual([
      { value: 1, dropped: 0 },
      { value: 2, dropped: 0 },
      { value: 3, dropped: 0 },
    ]);
    expect(sut.droppedTotal).toBe(0);
  });

  it('drops the oldest on overflow and reports the count on the next message read', async () => {
    const sut = new BoundedQueue<number>(3);
    for (let n = 1; n <= 7; n++) sut.push(n);
    expect(await drain(sut, 3)).toEqual([
      { value: 5, dropped: 4 },
      { value: 6, dropped: 0 },
      { value: 7, dropped: 0 },
    ]);
    expect(sut.droppedTotal).toBe(4);
  });

  it('counts a dropped batch as its items', async () => {
    const sut = new BoundedQueue<string[]>(2, undefined, (lines) => lines.length);
    [['a', 'b'], ['c'], ['d', 'e', 'f'], ['g']].forEach((b) => sut.push(b));
    expect(await drain(sut, 2)).toEqual([
      { value: ['d', 'e', 'f'], dropped: 3 },
      { value: ['g'], dropped: 0 },
    ]);
    expect(sut.droppedTotal).toBe(3);
  });

  it('hands over what is queued at once, up to a limit, in order', async () => {
    const sut = new BoundedQueue<number>(10);
    [1, 2, 3, 4].forEach((n) => sut.push(n));
    expect(sut.takeAvailable(3).map((q) => q.value)).toEqual([1, 2, 3]);
    expect(sut.takeAvailable(3).map((q) => q.value)).toEqual([4]);
    expect(sut.takeAvailable(3)).toEqual([]);
    sut.push(5);
    expect(await drain(sut, 1)).toEqual([{ value: 5, dropped: 0 }]);
  });

  it('reports drops with a queue of one', async () => {
    const sut = new BoundedQueue<string>(1);
    ['a', 'b', 'c'].forEach((s) => sut.push(s));
    expect(await drain(sut, 1)).toEqual([{ value: 'c', dropped: 2 }]);
  });

  it('hands a message straight to a waiting reader', async () => {
    const sut = new BoundedQueue<number>(1);
    const pending = sut.next();
    sut.push(42);
    expect(await pending).toEqual({ done: false, value: { value: 42, dropped: 0 } });
  });

  it('ends a waiting reader and calls onClose once when returned', async () => {
    let closed = 0;
    const sut = new BoundedQueue<number>(2, () => closed++);
    const pending = sut.next();
    await sut.return();
    await sut.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    sut.push(1);
    expect(await sut.next()).toEqual({ done: true, value: undefined });
    expect(closed).toBe(1);
  });
});
