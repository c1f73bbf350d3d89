// Node devices and lspci over REST and GraphQL on the RHBZ#688673 host: filters, JSON and libvirt
// nodedev XML (validated by libvirt's own schema when virt-xml-validate is installed), the lspci views.
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startTestApp, type TestApp } from './support/app';

const VF = '0000:01:10.0';
const PF = '0000:01:00.0';

const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['virt-xml-validate', 'xmllint'].filter((cmd) => !onPath(cmd));
const NOTE =
  `SKIPPED nodedev XML validation: ${missing.join(' and ')} not found ` +
  `(Debian: apt-get install -y libvirt-clients libxml2-utils)`;
if (missing.length) console.warn(NOTE);

interface NodeDevice {
  bdf: string;
  name: string;
  vendor: string;
  device: string;
  driver: string | null;
  caps: string[];
  parent: string | null;
  physFunction: string | null;
  virtFunctions: string[];
  iommuGroup: { number: number; members: string[] } | null;
}

interface Problem {
  status: number;
  code: string;
  detail: string;
}

describe('inventory: node devices and lspci', () => {
  let t: TestApp;
  let dir = '';
  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    t.http(`/api/v1/hosts/lab${path}`, { headers });
  const list = async (query = ''): Promise<NodeDevice[]> => {
    const res = await get(`/nodedevs${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as NodeDevice[];
  };
  const problem = async (res: Response, status: number): Promise<Problem> => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return (await res.json()) as Problem;
  };

  beforeAll(async () => {
    t = await startTestApp({ PTLAB_TICK_MS: '0' });
    const res = await t.http('/api/v1/hosts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'lab', template: 'rhbz688673' }),
    });
    expect(res.status).toBe(201);
    if (!missing.length) dir = mkdtempSync(join(tmpdir(), 'ptlab-inventory-e2e-'));
  });
  afterAll(async () => {
    await t.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists every PCI function in lspci -D order', async () => {
    expect((await list()).map((d) => d.bdf)).toEqual([
      '0000:00:00.0',
      '0000:00:01.0',
      PF,
      '0000:01:00.1',
      VF,
      '0000:01:10.1',
    ]);
  });

  it('lists the VFs with ?cap=sriov_vf: 0000:01:10.0 is 8086:10ca with its PF as parent', async () => {
    const vfs = await list('?cap=sriov_vf');
    expect(vfs.map((d) => d.bdf)).toEqual([VF, '0000:01:10.1']);
    expect(vfs[0]).toMatchObject({
      bdf: VF,
      name: 'pci_0000_01_10_0',
      vendor: '8086',
      device: '10ca',
      parent: PF,
      physFunction: PF,
      driver: 'igbvf',
      caps: ['pci', 'sriov_vf'],
    });
  });

  it.each([
    ['?cap=sriov_pf', [PF, '0000:01:00.1']],
    ['?cap=bridge', ['0000:00:01.0']],
    ['?vendor=8086&device=10C9', [PF, '0000:01:00.1']],
    ['?device=10ca&driver=igbvf', [VF, '0000:01:10.1']],
    ['?driver=pciback', []],
    ['?vendor=1014', []],
  ])('filters %s', async (query, bdfs) => {
    expect((await list(query)).map((d) => d.bdf)).toEqual(bdfs);
  });

  it.each([
    ['?cap=vf', /cap must be one of pci, sriov_pf, sriov_vf, bridge/],
    ['?vendor=808', /vendor must be 4 hex digits/],
    ['?device=zzzz', /device must be 4 hex digits/],
    ['?driver=a%20b', /driver must be a driver name/],
    ['?colour=red', /property colour should not exist/],
  ])('refuses %s with 400 naming the parameter', async (query, detail) => {
    expect((await problem(await get(`/nodedevs${query}`), 400)).detail).toMatch(detail);
  });

  it('answers 404 problem+json for an unknown host', async () => {
    const p = await problem(await t.http('/api/v1/hosts/nope/nodedevs'), 404);
    expect(p.detail).toMatch(/no host named 'nope'/);
  });

  it.each([VF, '01:10.0', 'pci_0000_01_10_0'])('reads %s as JSON', async (bdf) => {
    const res = await get(`/nodedevs/${bdf}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({
      bdf: VF,
      physFunction: PF,
      iommuGroup: { members: [VF] },
    });
  });

  it('reads a PF with its virt functions', async () => {
    const pf = (await (await get(`/nodedevs/${PF}`)).json()) as NodeDevice;
    expect(pf.virtFunctions).toEqual([VF]);
    expect(pf.caps).toEqual(['pci', 'sriov_pf']);
  });

  it('answers 400 for a malformed BDF and 404 for an absent one', async () => {
    expect((await problem(await get('/nodedevs/01:20.0'), 400)).detail).toMatch(
      /^bdf: malformed PCI address '01:20.0'/,
    );
    expect((await problem(await get('/nodedevs/0000:02:00.0'), 404)).code).toBe('unknown-device');
    expect((await problem(await t.http(`/api/v1/hosts/nope/nodedevs/${VF}`), 404)).code).toBe(
      'not-found',
    );
  });

  it('answers libvirt nodedev XML with Accept: application/xml', async () => {
    const res = await get(`/nodedevs/${VF}`, { accept: 'application/xml' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    const xml = await res.text();
    expect(xml).toMatch(/^<device>/);
    expect(xml).toContain('<name>pci_0000_01_10_0</name>');
    expect(xml).toContain('<parent>pci_0000_00_01_0</parent>');
    expect(xml).toContain('<driver>\n    <name>igbvf</name>');
    expect(xml).toMatch(/<capability type='phys_function'>\s*<address domain='0x0000' bus='0x01'/);
    expect(xml).toMatch(/<iommuGroup number='\d+'>/);
    expect(xml).toContain('<pci-express/>');
  });

  it('answers 406 when neither JSON nor XML is acceptable', async () => {
    expect((await problem(await get(`/nodedevs/${VF}`, { accept: 'text/html' }), 406)).code).toBe(
      'not-acceptable',
    );
  });

  (missing.length ? it.skip : it)(
    'produces XML that virt-xml-validate accepts for every device',
    async () => {
      for (const d of await list()) {
        const xml = await (await get(`/nodedevs/${d.bdf}`, { accept: 'application/xml' })).text();
        const file = join(dir, `${d.name}.xml`);
        writeFileSync(file, xml);
        const r = spawnSync('virt-xml-validate', [file, 'nodedev'], { encoding: 'utf8' });
        expect({ bdf: d.bdf, status: r.status, out: `${r.stdout}${r.stderr}` }).toMatchObject({
          status: 0,
          out: expect.stringContaining('validates') as string,
        });
      }
    },
  );
  if (missing.length) it.skip(NOTE, () => undefined);

  it('prints lspci -D by default, as text/plain', async () => {
    const res = await get('/lspci');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const lines = (await res.text()).split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[4]).toBe(
      '0000:01:10.0 Ethernet controller: Intel Corporation 82576 Virtual Function (rev 01)',
    );
  });

  it('prints lspci -nn -D with ?nn=1', async () => {
    const text = await (await get('/lspci?nn=1')).text();
    expect(text.split('\n')).toContain(
      '0000:01:10.0 Ethernet controller [0200]: Intel Corporation 82576 Virtual Function [8086:10ca] (rev 01)',
    );
  });

  it('prints lspci -tv with ?tree=1', async () => {
    expect(await (await get('/lspci?tree=1')).text()).toBe(
      [
        '-[0000:00]-+-00.0  Intel Corporation 5520 I/O Hub to ESI Port',
        '           \\-01.0-[01]--+-00.0  Intel Corporation 82576 Gigabit Network Connection',
        '                        +-00.1  Intel Corporation 82576 Gigabit Network Connection',
        '                        +-10.0  Intel Corporation 82576 Virtual Function',
        '                        \\-10.1  Intel Corporation 82576 Virtual Function',
        '',
      ].join('\n'),
    );
  });

  it('refuses a bad lspci flag with 400', async () => {
    expect((await problem(await get('/lspci?tree=yes'), 400)).detail).toMatch(
      /tree must be 1, 0, true or false/,
    );
  });

  it('answers nodeDevices and nodeDevice (with xml) through GraphQL', async () => {
    const res = await t.gql<{
      nodeDevices: { bdf: string; parent: string; vendor: string; device: string }[];
      nodeDevice: { bdf: string; physFunction: string; xml: string };
    }>(
      `query ($bdf: String!) {
        nodeDevices(host: "lab", cap: "sriov_vf", vendor: "8086") { bdf parent vendor device }
        nodeDevice(host: "lab", bdf: $bdf) { bdf physFunction xml }
      }`,
      { bdf: '01:10.0' },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.nodeDevices).toEqual([
      { bdf: VF, parent: PF, vendor: '8086', device: '10ca' },
      { bdf: '0000:01:10.1', parent: '0000:01:00.1', vendor: '8086', device: '10ca' },
    ]);
    expect(res.data?.nodeDevice.physFunction).toBe(PF);
    expect(res.data?.nodeDevice.xml).toContain('<name>pci_0000_01_10_0</name>');
  });

  it('documents every node device, pciback, MSI and logs endpoint in the OpenAPI document', async () => {
    const doc = (await (await t.http('/api/docs-json')).json()) as {
      paths: Record<string, Record<string, { summary?: string }>>;
    };
    const ours = {
      '/api/v1/hosts/{host}/nodedevs': 'get',
      '/api/v1/hosts/{host}/nodedevs/{bdf}': 'get',
      '/api/v1/hosts/{host}/lspci': 'get',
      '/api/v1/hosts/{host}/nodedevs/{bdf}/detach': 'post',
      '/api/v1/hosts/{host}/nodedevs/{bdf}/reattach': 'post',
      '/api/v1/hosts/{host}/nodedevs/{bdf}/reset': 'post',
      '/api/v1/hosts/{host}/pciback/assignable': 'get',
      '/api/v1/hosts/{host}/msi': 'get',
      '/api/v1/hosts/{host}/nodedevs/{bdf}/msix': 'get',
      '/api/v1/hosts/{host}/nodedevs/{bdf}/msi/prune': 'post',
      '/api/v1/hosts/{host}/logs': 'get',
    };
    for (const [path, verb] of Object.entries(ours))
      expect({ path, summary: doc.paths[path]?.[verb]?.summary }).toEqual({
        path,
        summary: expect.any(String) as string,
      });
  });

  it('answers GraphQL errors with extensions.code', async () => {
    const res = await t.gql(`{ a: nodeDevice(host: "lab", bdf: "0000:02:00.0") { bdf } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('unknown-device');
    const bad = await t.gql(`{ nodeDevice(host: "lab", bdf: "zz") { bdf } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('validation-failed');
    const cap = await t.gql(`{ nodeDevices(host: "lab", cap: "vf") { bdf } }`);
    expect(cap.errors?.[0]?.message).toMatch(/cap must be one of/);
  });
});
