import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'bin/**', '.segment-personalize/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ThrowStatement > NewExpression[callee.name='Error']",
          message: 'Throw a framework error class, never a bare Error.'
        }
      ]
    }
  },
  {
    // destination/ moves unchanged into segmentio/action-destinations: its prettier 2.4 cannot parse inline
    // `import { a, type B }`, and its jest 27 node environment has no global `crypto`.
    files: ['destination/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ThrowStatement > NewExpression[callee.name='Error']",
          message: 'Throw a framework error class, never a bare Error.'
        },
        {
          selector: "ImportSpecifier[importKind='type']",
          message: "Segment's prettier 2.4 cannot parse inline type imports: use a separate `import type { … }`."
        }
      ],
      'no-restricted-globals': [
        'error',
        { name: 'crypto', message: "Segment's jest environment has no global crypto; derive ids from the event." }
      ]
    }
  },
  {
    // jest's asymmetric matchers (expect.stringContaining, …) are typed `any` by @types/jest.
    files: ['**/__tests__/**', 'test/**'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' }
  },
  // Pages' plain browser scripts (no build step) are outside the TypeScript project.
  { files: ['eslint.config.mjs', 'bin/**', 'emulators/*/public/**'], ...tseslint.configs.disableTypeChecked },
  {
    // scripts/*.cjs run before node_modules exists (scripts/ensure.cjs): plain CommonJS, outside the TypeScript project.
    files: ['scripts/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' }
  }
)
