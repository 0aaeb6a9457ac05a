// ESLint flat config: typescript-eslint's recommended rules over the TypeScript sources and tests.
// Room boundaries and import cycles are checked by dependency-cruiser (.dependency-cruiser.cjs),
// types by tsc (tsconfig.json for src, tsconfig.test.json for the tests); both run in `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // bench/ and tools/ are plain Node scripts (CommonJS) run as they are; configs are not sources
  { ignores: ['dist/**', 'base-dist*/**', 'node_modules/**', 'bench/**', 'tools/**', 'captures/**', 'contrib/**', '*.cjs', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // unused names are tsc's job (noUnusedLocals); `_`-prefixed arguments are deliberate
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true, allowShortCircuit: true }],
    },
  },
  {
    // tests read parsed JSON events (any), load the JS generators in tools/ with require(), and
    // match control characters on purpose (escaping tests)
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      'no-control-regex': 'off',
    },
  },
);
