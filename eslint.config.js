// Lint rules for the TypeScript in scripts/, test/ and the config files.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '_site/',
      'node_modules/',
      'coverage/',
      'signatures/',
      'test/fixtures/',
      'delivery/',
      '.workflow-actions/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Our validators exist to find control characters, so their patterns must name them.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read YAML and JSON documents whose shape is what they check.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The sign form's script runs in the reader's browser, without a bundler.
    files: ['content/assets/js/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'script' },
  },
);
