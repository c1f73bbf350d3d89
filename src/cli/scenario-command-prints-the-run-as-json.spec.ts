// `ptlab scenario` and `ptlab bench` argument handling and output (the bench itself is not run here).
import { main, type CliIo } from './main';

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      err += t;
    },
    stdout: () => out,
    stderr: () => err,
  };
}

describe('ptlab scenario', () => {
  it('run --json prints exactly { scenario, profile, changesets, passed, logs, interrupts, stateHash } and exits 0', async () => {
    const io = capture();
    const code = await main(['scenario', 'run', 'rhbz688673-pv-reboot', '--json'], io);
    expect(code).toBe(0);
    const r = JSON.parse(io.stdout()) as Record<string, unknown>;
    expect(Object.keys(r)).toEqual([
      'scenario',
      'profile',
      'changesets',
      'passed',
      'logs',
      'interrupts',
      'stateHash',
    ]);
    expect(r).toMatchObject({
      scenario: 'rhbz688673-pv-reboot',
      profile: 'rhel5-2.6.18-274',
      changesets: [],
      passed: true,
    });
    const logs = r.logs as { source: string; text: string }[];
    expect(logs.filter((l) => l.text.includes('not freed before acquire again'))).toHaveLength(6);
    const irq = r.interrupts as { delivered: number; lost: number }[];
    expect(irq.every((i) => i.delivered === 0 && i.lost > 0)).toBe(true);
  });

  it('--patch cs1070 --patch msi-prune turns it into the fixed stack', async () => {
    const io = capture();
    const code = await main(
      [
        'scenario',
        'run',
        'rhbz688673-pv-reboot',
        '--patch',
        'cs1070',
        '--patch',
        'msi-prune',
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    const r = JSON.parse(io.stdout()) as { changesets: string[]; logs: { text: string }[] };
    expect(r.changesets).toEqual(['cs1070', 'msi-prune']);
    expect(r.logs.map((l) => l.text)).toContain('PCI: 0000:01:10.0: cleaning up mask_base');
  });

  it.each([
    [['scenario', 'run', 'nope'], "unknown scenario 'nope'"],
    [['scenario', 'run', 'rhbz688673-pv-reboot', '--profile', 'rhel9'], "unknown profile 'rhel9'"],
    [['scenario', 'run', 'rhbz688673-pv-reboot', '--patch', 'cs1'], "unknown changeset 'cs1'"],
    [['scenario', 'run'], 'missing scenario id'],
    [['scenario', 'frobnicate'], "unknown sub-command 'frobnicate'"],
    [['bench', 'disk'], "unknown benchmark 'disk'"],
  ])('%j → exit 2 with a message on stderr', async (argv, message) => {
    const io = capture();
    expect(await main(argv, io)).toBe(2);
    expect(io.stderr()).toContain(message);
    expect(io.stdout()).toBe('');
  });

  it('list --json names the RHBZ#688673 scenarios (among the others) with their profiles', async () => {
    const io = capture();
    expect(await main(['scenario', 'list', '--json'], io)).toBe(0);
    const list = JSON.parse(io.stdout()) as { id: string; profiles: string[] }[];
    expect(list.map((s) => s.id)).toEqual(
      expect.arrayContaining([
        'rhbz688673-pv-reboot',
        'rhbz688673-pv-destroy',
        'rhbz688673-hvm-reboot',
        'rhbz688673-owner-transitions',
        'rhbz688673-two-vfs',
      ]),
    );
    expect(list.every((s) => s.profiles.length >= 2)).toBe(true);
  });
});
