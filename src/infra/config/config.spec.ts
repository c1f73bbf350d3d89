import { ConfigError, loadConfig } from './config';

describe('loadConfig: one validated config object', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({}, '/srv/ptlab');
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: '/srv/ptlab/.ptlab',
      logFormat: 'pretty',
      logLevel: 'info',
    });
  });

  it('uses JSON logs in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).logFormat).toBe('json');
  });

  it.each([
    ['PORT', 'abc', /PORT.*not an integer/],
    ['PORT', '70000', /PORT.*out of range/],
    ['DATABASE_URL', 'mysql://x/y', /DATABASE_URL.*postgres/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL.*not a URL/],
    ['DATABASE_URL', 'postgres://h:5432', /DATABASE_URL.*names no database/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL.*not one of/],
    ['HOST', 'a b', /HOST/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('never echoes a password from DATABASE_URL in an error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).not.toThrow(/secret/);
  });
});
