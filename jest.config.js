/** @type {import('jest').Config} */
// NestJS 12 and some of its dependencies ship ES modules only; Jest on Node 20 cannot require() them,
// so every package that declares "type": "module" goes through the transform (test/jest-transform.js:
// ts-jest to CommonJS, cached after the first run).
const fs = require('fs');
const path = require('path');
function esmPackages() {
  const root = path.join(__dirname, 'node_modules');
  const names = [];
  const consider = (name) => {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(root, name, 'package.json'), 'utf8'));
      if (pkg.type === 'module') names.push(name);
    } catch {
      /* not a package */
    }
  };
  for (const entry of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@'))
      for (const sub of fs.readdirSync(path.join(root, entry))) consider(`${entry}/${sub}`);
    else consider(entry);
  }
  return names.map((n) => n.replace(/[.+]/g, '\\$&'));
}
const esmOnly = esmPackages();
const transform = {
  '^.+\\.(ts|js|mjs)$': [
    '<rootDir>/test/jest-transform.js',
    { tsconfig: 'tsconfig.jest.json', diagnostics: false },
  ],
};
const common = {
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};
module.exports = {
  // Per-project testTimeout is ignored by Jest 30: one global value.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/src'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
      testTimeout: 60000,
    },
    {
      // Real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core.
      ...common,
      displayName: 'browser',
      roots: ['<rootDir>/test/browser'],
      testMatch: ['**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
    },
  ],
};
