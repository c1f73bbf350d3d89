// Domains over REST: define from xl.cfg / libvirt XML / JSON, lifecycle with libvirt states and reasons,
// hostdev refusals, workloads and interrupt counters — on the RHBZ#688673 host.
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { HostRuntimeService } from '../../src/hosts/host-runtime.service';
import { startTestApp, type TestApp } from './support/app';

const VF = '0000:01:10.0';
const XL_CFG = `# RHEL 5.6 PV guest of RHBZ#688673
name = "rhel56-64bit-pv"
memory = 1024
vcpus = 1
kernel = "/boot/vmlinuz-2.6.18-274.el5xen"
pci = [ '01:10.0' ]
`;

interface Counter {
  bdf: string;
  entry: number;
  pirq: number | null;
  live: boolean;
  delivered: number;
  raised: number;
  lost: Record<string, number>;
}

describe('domains on the rhbz688673 host', () => {
  let t: TestApp;
  const post = (path: string, body?: unknown, type = 'application/json'): Promise<Response> =>
    t.http(path, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': type },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const hash = async (): Promise<string> =>
    ((await (await t.http('/api/v1/hosts/lab')).json()) as { stateHash: string }).stateHash;
  const advance = (ns: number): Promise<Response> =>
    post('/api/v1/hosts/lab/clock', { running: false, advanceNs: ns });
  const counters = async (domain = 'rhel56-64bit-pv'): Promise<Counter[]> =>
    (await (await t.http(`/api/v1/hosts/lab/domains/${domain}/interrupts`)).json()) as Counter[];

  beforeAll(async () => {
    t = await startTestApp({ PTLAB_TICK_MS: '0' });
    expect((await post('/api/v1/hosts', { name: 'lab', template: 'rhbz688673' })).status).toBe(201);
    expect((await advance(0)).status).toBe(200); // pause the clock: the test drives time
    await t.app
      .get(HostRuntimeService)
      .mutate('lab', () => ({ commands: [{ type: 'device.detach', bdf: VF }] }));
  });
  afterAll(async () => {
    await t.close();
  });

  it('defines a PV domain from an xl.cfg (no type, no builder: PV)', async () => {
    const res = await post('/api/v1/hosts/lab/domains', XL_CFG, 'text/x-xl-config');
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      name: 'rhel56-64bit-pv',
      type: 'pv',
      state: 'shutoff',
      id: null,
      memoryMiB: 1024,
      kernel: '/boot/vmlinuz-2.6.18-274.el5xen',
      hostdevs: [{ bdf: VF, live: false }],
    });
  });

  it('refuses a broken xl.cfg with line and column, defining nothing', async () => {
    const before = await hash();
    const res = await post(
      '/api/v1/hosts/lab/domains',
      'name = "x"\npci = [ \'01:10\' ]\n',
      'text/x-xl-config',
    );
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; line: number; detail: string };
    expect(problem.code).toBe('invalid-xl-config');
    expect(problem.line).toBe(2);
    expect(problem.detail).toMatch(/PCI_SPEC_STRING/);
    expect(await hash()).toBe(before);
    expect((await t.http('/api/v1/hosts/lab/domains/x')).status).toBe(404);
  });

  it('refuses XML with entity declarations (no expansion), and an unknown media type', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><domain type='xen'><name>&a;</name></domain>`;
    const res = await post('/api/v1/hosts/lab/domains', bomb, 'application/xml');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('invalid-xml');
    const weird = await post('/api/v1/hosts/lab/domains', 'x', 'application/x-yaml');
    expect(weird.status).toBe(415);
  });

  it('refuses an oversized body with 413 problem+json', async () => {
    const huge = `# ${'x'.repeat(2 * 1024 * 1024)}\nname = "big"\n`;
    const res = await post('/api/v1/hosts/lab/domains', huge, 'text/x-xl-config');
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await t.http('/api/v1/hosts/lab/domains/big')).status).toBe(404);
  });

  it('refuses an invalid JSON definition naming the field', async () => {
    const res = await post('/api/v1/hosts/lab/domains', {
      name: 'j',
      type: 'pv',
      memoryMiB: 0,
      vcpus: 1,
      hostdevs: [],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/memoryMiB/);
  });

  it('refuses the names of Object.prototype members with 400 problem+json, defining nothing', async () => {
    for (const name of ['__proto__', 'constructor']) {
      const res = await post('/api/v1/hosts/lab/domains', {
        name,
        type: 'pv',
        memoryMiB: 1024,
        vcpus: 1,
        hostdevs: [],
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toContain(`'${name}' is reserved`);
    }
    const list = (await (await t.http('/api/v1/hosts/lab/domains')).json()) as { name: string }[];
    expect(list.map((d) => d.name)).not.toContain('constructor');
    expect(list.map((d) => d.name)).not.toContain('__proto__');
  });

  it('starts the domain: running/booted with a domid; the rx/tx vectors of the VF deliver every interrupt under ping', async () => {
    const res = await post('/api/v1/hosts/lab/domains/rhel56-64bit-pv/start');
    expect(res.status).toBe(200);
    const d = (await res.json()) as { state: string; reason: string; id: number };
    expect(d).toMatchObject({ state: 'running', reason: 'booted' });
    expect(d.id).toBeGreaterThan(0);
    expect(
      (
        await post('/api/v1/hosts/lab/domains/rhel56-64bit-pv/workload', {
          kind: 'ping',
          rate: 100,
        })
      ).status,
    ).toBe(200);
    await advance(1_000_000_000);
    // igbvf: entry 0 = tx, 1 = rx (ping traffic), 2 = the mailbox/link vector.
    const driven = (await counters()).filter((c) => c.live && c.raised > 0);
    expect(driven.map((c) => c.entry)).toEqual(expect.arrayContaining([0, 1]));
    expect(driven.map((c) => c.pirq)).toEqual(expect.arrayContaining([255, 254]));
    expect(driven.every((c) => c.delivered === c.raised)).toBe(true);
  });

  it('emits libvirt domain XML that libvirt accepts', async () => {
    const res = await t.http('/api/v1/hosts/lab/domains/rhel56-64bit-pv', {
      headers: { accept: 'application/xml' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/xml/);
    const xml = await res.text();
    expect(xml).toMatch(/<domain type='xen' id='\d+'>/);
    expect(xml).toContain("<address domain='0x0000' bus='0x01' slot='0x10' function='0x0'/>");
    if (existsSync('/usr/bin/virt-xml-validate') && existsSync('/usr/bin/xmllint')) {
      const file = join(mkdtempSync(join(tmpdir(), 'ptlab-xml-')), 'domain.xml');
      writeFileSync(file, xml);
      expect(() =>
        execFileSync('virt-xml-validate', [file, 'domain'], { stdio: 'pipe' }),
      ).not.toThrow();
    }
  });

  it('refuses PV hot attach with the RHEL-5 message, changing nothing', async () => {
    const before = await hash();
    const res = await post('/api/v1/hosts/lab/domains/rhel56-64bit-pv/hostdevs', {
      bdf: '0000:01:10.1',
      live: true,
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      code: 'pv-hot-attach-unsupported',
      detail: 'Error: only HVM guest support pci attach',
    });
    expect(await hash()).toBe(before);
  });

  it('refuses a second domain using the same VF: 409 with the real message', async () => {
    const def = {
      name: 'rhel56-64bit-pv2',
      type: 'pv',
      memoryMiB: 512,
      vcpus: 1,
      hostdevs: [{ bdf: '01:10.0' }],
    };
    expect((await post('/api/v1/hosts/lab/domains', def)).status).toBe(201);
    const before = await hash();
    const res = await post('/api/v1/hosts/lab/domains/rhel56-64bit-pv2/start');
    expect(res.status).toBe(409);
    expect(((await res.json()) as { detail: string }).detail).toContain(
      'has already been assigned to other domain',
    );
    expect(await hash()).toBe(before);
    expect(
      (await t.http('/api/v1/hosts/lab/domains/rhel56-64bit-pv2', { method: 'DELETE' })).status,
    ).toBe(204);
  });

  it('reboots: on the reported stack the VF gets no interrupts after the reboot (RHBZ#688673)', async () => {
    const res = await post('/api/v1/hosts/lab/domains/rhel56-64bit-pv/reboot');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'running', reason: 'booted', boots: 2 });
    await post('/api/v1/hosts/lab/domains/rhel56-64bit-pv/workload', { kind: 'ping', rate: 100 });
    await advance(1_000_000_000);
    const driven = (await counters()).filter((c) => c.live && c.raised > 0);
    expect(driven.length).toBeGreaterThanOrEqual(2);
    expect(driven.every((c) => c.delivered === 0)).toBe(true);
  });

  it('refuses to undefine a running domain, then shuts it down (shutoff/shutdown) and destroys nothing twice', async () => {
    expect(
      (await t.http('/api/v1/hosts/lab/domains/rhel56-64bit-pv', { method: 'DELETE' })).status,
    ).toBe(409);
    const down = await post('/api/v1/hosts/lab/domains/rhel56-64bit-pv/shutdown');
    expect(await down.json()).toMatchObject({ state: 'shutoff', reason: 'shutdown', id: null });
    expect((await post('/api/v1/hosts/lab/domains/rhel56-64bit-pv/destroy')).status).toBe(409);
  });

  it('answers the same through GraphQL', async () => {
    const res = await t.gql<{ domain: { name: string; state: string; reason: string } }>(
      '{ domain(host: "lab", name: "rhel56-64bit-pv") { name state reason } }',
    );
    expect(res.data?.domain).toEqual({
      name: 'rhel56-64bit-pv',
      state: 'shutoff',
      reason: 'shutdown',
    });
    const started = await t.gql<{ startDomain: { state: string } }>(
      'mutation { startDomain(host: "lab", name: "rhel56-64bit-pv") { state } }',
    );
    expect(started.data?.startDomain.state).toBe('running');
    const missing = await t.gql('mutation { startDomain(host: "lab", name: "nope") { state } }');
    expect(missing.errors?.[0].extensions?.code).toBe('unknown-domain');
  });
});
