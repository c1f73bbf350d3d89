import { globToLike, matchesAny, matchesGlob } from './glob';

describe('event type globs', () => {
  it('matches a family with a trailing star', () => {
    expect(matchesGlob('domain.lifecycle', 'domain.*')).toBe(true);
    expect(matchesGlob('device.assignment', 'domain.*')).toBe(false);
  });

  it('treats dots and other regex characters literally', () => {
    expect(matchesGlob('domainXlifecycle', 'domain.lifecycle')).toBe(false);
    expect(matchesGlob('a+b', 'a+b')).toBe(true);
    expect(matchesGlob('aab', 'a+b')).toBe(false);
  });

  it('lets a star match inside and across segments', () => {
    expect(matchesGlob('guest:3', 'guest:*')).toBe(true);
    expect(matchesGlob('msi.vector', '*.vector')).toBe(true);
    expect(matchesGlob('msi.vector', '*')).toBe(true);
  });

  it('matches everything with an empty or absent list', () => {
    expect(matchesAny('log', [])).toBe(true);
    expect(matchesAny('log', undefined)).toBe(true);
    expect(matchesAny('log', ['domain.*', 'log'])).toBe(true);
    expect(matchesAny('log', ['domain.*'])).toBe(false);
  });

  it('translates to an escaped SQL LIKE pattern', () => {
    expect(globToLike('domain.*')).toBe('domain.%');
    expect(globToLike('a_b%c*')).toBe('a\\_b\\%c%');
  });
});
