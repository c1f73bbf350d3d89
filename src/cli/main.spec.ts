import { main, type CliIo } from './main';
import { packageVersion } from '../infra/paths';

function capture(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => (out += t), err: (t) => (err += t) }, out: () => out, err: () => err };
}

describe('the ptlab command line', () => {
  it('prints the package version for --version', async () => {
    const c = capture();
    expect(await main(['--version'], c.io)).toBe(0);
    expect(c.out()).toBe(`${packageVersion()}\n`);
  });

  it('lists the commands for --help', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out()).toMatch(/^Usage: ptlab <command>/);
    expect(c.out()).toMatch(/^\s+serve\s/m);
  });

  it('refuses an unknown command with exit code 2 and the help on stderr', async () => {
    const c = capture();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.err()).toContain("unknown command 'frobnicate'");
  });

  it('shows the serve options (environment variables) for serve --help without starting', async () => {
    const c = capture();
    expect(await main(['serve', '--help'], c.io)).toBe(0);
    expect(c.out()).toContain('DATABASE_URL');
    expect(c.out()).toContain('PTLAB_DATA_DIR');
  });
});
