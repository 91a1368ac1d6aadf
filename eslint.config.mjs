// Syntax-level lint only: the type-checked presets would re-run the compiler that `pnpm typecheck` already runs.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/dist/',
    '**/node_modules/',
    '**/coverage/',
    '**/.turbo/',
    '**/out/',
    '**/.clade-cache/',
    'apps/demo/.e2e/',
    // The compiled addon (clade_ort.node) of @clade/ort-native.
    'packages/ort-native/build/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          // A `_`-named parameter keeps a protocol's signature (e.g. the unpickler's build(obj, _state)).
          argsIgnorePattern: '^_',
          // `const { drop: _, ...rest } = o` is how the code omits a key from a copy.
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Libraries and their tests do not log; each deliberate console line carries its own eslint-disable.
    files: ['packages/*/src/**', 'tooling/*/src/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // CommonJS: jest configs, the jest preset, ort-native's loader and build script.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: {
      // require() is the module system of these files, not a stray import.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // A jest setupFilesAfterEnv file: jest's globals (beforeAll, …) are in scope.
    files: ['tooling/jest-preset/setup-tfjs.cjs'],
    languageOptions: { globals: globals.jest },
  },
);
