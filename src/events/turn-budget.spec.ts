import { TurnBudget } from './turn-budget';

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('TurnBudget', () => {
  it('lets claims through in this turn until the budget is spent, then in later turns, in order', async () => {
    const sut = new TurnBudget(100);
    const order: string[] = [];
    const claim = (name: string, bytes: number): void => {
      const later = sut.claim(bytes);
      if (!later) order.push(`${name}:now`);
      else void later.then(() => order.push(name));
    };
    claim('a', 60);
    claim('b', 40);
    claim('c', 30);
    claim('d', 80);
    claim('e', 10);
    expect(order).toEqual(['a:now', 'b:now']);
    expect(sut.pending).toBe(3);
    await nextTurn();
    await nextTurn();
    expect(order.slice(0, 3)).toEqual(['a:now', 'b:now', 'c']);
    await nextTurn();
    await nextTurn();
    expect(order).toEqual(['a:now', 'b:now', 'c', 'd', 'e']);
    expect(sut.pending).toBe(0);
  });

  it('always lets the first claim of a turn through, however large', async () => {
    const sut = new TurnBudget(10);
    expect(sut.claim(1000)).toBeUndefined();
    const later = sut.claim(1);
    expect(later).toBeInstanceOf(Promise);
    await later;
    expect(sut.pending).toBe(0);
  });

  it('keeps the order: a small claim does not overtake a waiting one', () => {
    const sut = new TurnBudget(100);
    expect(sut.claim(90)).toBeUndefined();
    expect(sut.claim(50)).toBeInstanceOf(Promise);
    expect(sut.claim(5)).toBeInstanceOf(Promise);
  });
});
