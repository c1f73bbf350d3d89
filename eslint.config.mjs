import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'coverage/**',
      'src/generated/**',
      '.ptlab/**',
      'test-output/**',
      'public/**',
      'prisma.config.ts',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The engine is a framework-free, I/O-free library (DESIGN.md §2).
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*', '@nestjs'], message: 'src/engine must not import NestJS.' },
            { group: ['@prisma/*', '@prisma'], message: 'src/engine must not import Prisma.' },
            {
              group: ['graphql', 'graphql/*', 'graphql-*'],
              message: 'src/engine must not import GraphQL.',
            },
            {
              group: [
                'fs',
                'fs/*',
                'node:*',
                'http',
                'https',
                'net',
                'dgram',
                'child_process',
                'pg',
                'ws',
                'dns',
                'tls',
                'os',
                'worker_threads',
                'cluster',
                'readline',
              ],
              message: 'src/engine must not do I/O.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Time is injected into the engine.' },
        { name: 'setInterval', message: 'Time is injected into the engine.' },
        { name: 'process', message: 'The engine reads no environment.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time is injected into the engine.' },
        { object: 'Math', property: 'random', message: 'Use the seeded PRNG in state.' },
      ],
    },
  },
);
