import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// The core (src/kafka) must run identically in Node simulations and in workers:
// time, randomness, storage and transport reach it only through ports.ts.
const impureGlobals = ['window', 'document', 'self', 'indexedDB', 'setTimeout', 'setInterval',
  'clearTimeout', 'clearInterval', 'requestAnimationFrame', 'performance', 'navigator', 'Worker',
  'MessageChannel', 'postMessage', 'localStorage'].map((name) => ({ name, message: 'src/kafka is pure: use a port from ports.ts' }));

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', '.shots'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/tutorials/**/*.tsx', 'src/experiments/**/*.tsx', 'src/scenario/**/*.tsx', 'src/hosting/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    files: ['src/kafka/**/*.ts'],
    ignores: ['src/kafka/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...impureGlobals],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'use the Random port' },
        { object: 'Date', property: 'now', message: 'use the Clock port' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'use the Clock port' }],
      'no-restricted-imports': ['error', { patterns: [
        { group: ['react', 'react-dom', 'd3', 'd3-*', 'idb', 'comlink', 'zustand'], message: 'src/kafka is pure' },
        { group: ['**/runtime/**', '**/workers/**', '**/cluster/**', '**/store/**', '**/ui/**', '**/sim/**'], message: 'src/kafka depends on nothing outside it' },
      ] }],
    },
  },
);
