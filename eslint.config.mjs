// Flat config: typescript-eslint's recommended rules, plus the layer rule that keeps src/core free of VS Code.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'trainer/**', 'media/**/*.min.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // A plain CommonJS VS Code extension used as a test fixture (another extension installed beside ours).
    files: ['test/fixtures/probe-extension/**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts', 'src/server/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'core, server and cli must not depend on VS Code; add an interface in core and implement it in src/extension.' }] }],
    },
  },
);
