// ESLint with typescript-eslint's recommended rules over the server, workers, scripts, benchmarks and tests, and the
// recommended JavaScript rules over the observer app (browser globals); formatting is Prettier's (npm run lint checks
// both, npm run format rewrites).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'src/generated/',
      'public/vendor/',
      'storage/',
      '.storage-test/',
      'test-artifacts/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    // Tests read loosely typed JSON answers.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['**/*.mjs', 'scripts/**/*.js'], languageOptions: { globals: globals.node } },
  { files: ['public/**/*.js'], languageOptions: { globals: { ...globals.browser, ...globals.serviceworker } } },
  prettier,
);
