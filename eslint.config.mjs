// Lint rules that keep workflow code deterministic and promises handled.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', 'data/', 'coverage/', 'bin/', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins,
    // no activity implementations, no clocks or randomness outside the SDK's.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['**/activities', '**/activities/*'], allowTypeImports: true, message: 'Import activities only as types.' },
            { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'node:*'], message: 'Not allowed in workflow code.' },
            { group: ['**/config', '**/config/*'], message: 'workflows/ never imports config/: the playbook format lives in workflows/, the environment is for processes.' },
            { group: ['**/client', '**/client/*', '**/workers', '**/workers/*'], message: 'Imports run one way: client and workers import workflows, never the reverse.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' }, { name: 'setInterval', message: 'Use sleep() in a loop.' }, { name: 'process', message: 'No process in workflow code.' }],
    },
  },
  {
    // Activities are side effects built from what the worker hands them: never the client.
    files: ['activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/client', '**/client/*', '**/client/**'], message: 'activities never import client/: the worker passes them what they need.' }] },
      ],
    },
  },
);
