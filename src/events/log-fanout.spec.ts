import type { EventMessage } from './event.types';
import type { LogBatch } from './events.models';
import { LogFanout } from './log-fanout';

let nextId = 1;
const line = (host: string, source: string, text: string): EventMessage => ({
  id: String(nextId++),
  host,
  type: 'log',
  virtualTimeNs: '5',
  time: '2026-01-01T00:00:00.000Z',
  data: { source, text },
});

async function take(stream: AsyncIterator<LogBatch>): Promise<LogBatch> {
  const r = await stream.next();
  if (r.done) throw new Error('stream ended');
  return r.value;
}

describe('the logs fan-out: lines coalesced per filter group into shared batches', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends the lines of one window as one batch, the same object to every subscriber of the filter', async () => {
    const sut = new LogFanout({ windowMs: 10, maxLines: 100, queue: 10 });
    const a = sut.subscribe('lab', ['dom0']);
    const b = sut.subscribe('lab', ['dom0']);
    const all = sut.subscribe('lab', null);
    // Readers waiting for their next batch (idle), as graphql-ws's loop is.
    const reads = Promise.all([take(a), take(b), take(all)]);
    sut.dispatch(line('lab', 'dom0', 'one'));
    sut.dispatch(line('lab', 'xen', '(XEN) two'));
    jest.advanceTimersByTime(5);
    sut.dispatch(line('lab', 'dom0', 'three'));
    sut.dispatch(line('other', 'dom0', 'another host'));
    jest.advanceTimersByTime(5);
    const [ba, bb, ball] = await reads;
    expect(ba.lines.map((l) => l.text)).toEqual(['one', 'three']);
    expect(bb).toBe(ba);
    expect(ball.lines.map((l) => l.text)).toEqual(['one', '(XEN) two', 'three']);
    expect(ball.lines[0]).toBe(ba.lines[0]);
    expect(ba).toMatchObject({ host: 'lab', dropped: 0 });
    expect(ba.lines[0]).toEqual({
      seq: expect.any(Number),
      host: 'lab',
      source: 'dom0',
      text: 'one',
      time: new Date('2026-01-01T00:00:00.000Z'),
      virtualTimeNs: '5',
    });
  });

  it('sends a full batch at once, before the window ends', async () => {
    const sut = new LogFanout({ windowMs: 1000, maxLines: 2, queue: 10 });
    const s = sut.subscribe('lab', null);
    ['a', 'b', 'c'].forEach((t) => sut.dispatch(line('lab', 'dom0', t)));
    expect((await take(s)).lines.map((l) => l.text)).toEqual(['a', 'b']);
    const next = take(s);
    jest.advanceTimersByTime(1000);
    expect((await next).lines.map((l) => l.text)).toEqual(['c']);
  });

  it('stretches the window while most subscribers are still busy with the previous batch, up to 10×', async () => {
    const sut = new LogFanout({ windowMs: 10, maxLines: 100, queue: 10 });
    const reader = sut.subscribe('lab', null);
    sut.subscribe('lab', null); // busy: never asks for the next batch
    sut.subscribe('lab', null); // busy too
    const first = take(reader);
    let got: LogBatch | undefined;
    void first.then((b) => (got = b));
    sut.dispatch(line('lab', 'dom0', 'early'));
    await jest.advanceTimersByTimeAsync(10);
    expect(got).toBeUndefined(); // two of three busy: keep collecting
    sut.dispatch(line('lab', 'dom0', 'later'));
    await jest.advanceTimersByTimeAsync(80);
    expect(got).toBeUndefined();
    await jest.advanceTimersByTimeAsync(10);
    expect(got?.lines.map((l) => l.text)).toEqual(['early', 'later']);
  });

  it('keeps the short window when most subscribers are waiting', async () => {
    const sut = new LogFanout({ windowMs: 10, maxLines: 100, queue: 10 });
    const a = sut.subscribe('lab', null);
    const b = sut.subscribe('lab', null);
    sut.subscribe('lab', null); // one busy subscriber holds nobody back
    const reads = Promise.all([take(a), take(b)]);
    sut.dispatch(line('lab', 'dom0', 'now'));
    await jest.advanceTimersByTimeAsync(10);
    const [ba] = await reads;
    expect(ba.lines.map((l) => l.text)).toEqual(['now']);
  });

  it('a subscriber that does not read loses its oldest batches, counted in lines, on its next batch only', async () => {
    const sut = new LogFanout({ windowMs: 0, maxLines: 3, queue: 2 });
    const slow = sut.subscribe('lab', null);
    const reader = sut.subscribe('lab', null);
    const read: LogBatch[] = [];
    for (let i = 0; i < 4; i++) {
      ['x', 'y', 'z'].forEach((t) => sut.dispatch(line('lab', 'dom0', `${t}${i}`)));
      read.push(await take(reader));
    }
    expect(read.map((b) => b.dropped)).toEqual([0, 0, 0, 0]);
    expect(read.flatMap((b) => b.lines).map((l) => l.text)).toHaveLength(12);
    const first = await take(slow);
    expect(first.dropped).toBe(6);
    expect(first.lines.map((l) => l.text)).toEqual(['x2', 'y2', 'z2']);
    expect((await take(slow)).dropped).toBe(0);
  });

  it('forgets a group when its last subscriber leaves', async () => {
    const sut = new LogFanout({ windowMs: 10, maxLines: 10, queue: 10 });
    const s = sut.subscribe('lab', ['dom0', 'xen', 'dom0']);
    const t = sut.subscribe('lab', ['xen', 'dom0']);
    expect(sut.subscriberCount).toBe(2);
    sut.dispatch(line('lab', 'dom0', 'pending'));
    await s.return();
    await t.return();
    expect(sut.subscriberCount).toBe(0);
    jest.advanceTimersByTime(10);
    expect(await s.next()).toEqual({ done: true, value: undefined });
  });
});
