import tseslint from 'typescript-eslint';
import tsdoc from 'eslint-plugin-tsdoc';

const sources = ['*/src/**/*.ts'];
const tests = ['**/*.test.ts', '*/test/**/*.ts'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/lib/**',
      '.venv/**',
      '.jaxlab/**',
      '.device-carry/**',
      '**/generated/**',
      'lab-extension/jaxlab_lab_extension/**',
      'harness/**'
    ]
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      // Statics live in a namespace beside their interface, as in
      // @jupyterlab/services (IKernelConnection.IOptions).
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_'
        }
      ],
      camelcase: [
        'error',
        {
          properties: 'never',
          allow: [
            'msg_id',
            'msg_type',
            'parent_header',
            'session_id',
            'kernel_name'
          ]
        }
      ]
    }
  },
  {
    files: sources,
    ignores: tests,
    plugins: { tsdoc },
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      'tsdoc/syntax': 'warn',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true }
      ],
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'interface', format: ['PascalCase'], prefix: ['I'] }
      ]
    }
  },
  {
    // Tests use a package as other packages do, through its entry
    // (node-mongodb-native forbids ../src imports in tests); only a unit
    // test beside its file imports that file (./x.js).
    files: tests,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+([^/]+/)*src(/|$)',
              message:
                "Import the package's public entry (@jaxlab/<package>), not its src/."
            },
            {
              // Entries a package.json "exports" declares are public too.
              regex: '^@jaxlab/(?!schemas/contract$)[^/]+/',
              message:
                "Import the package's public entry (@jaxlab/<package>, or @jaxlab/schemas/contract), not a file inside it."
            }
          ]
        }
      ]
    }
  }
);
