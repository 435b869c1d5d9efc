import type { CodegenConfig } from '@graphql-codegen/cli';

/** The SPA's typed documents come from the printed schema, never from a running server. */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['web/src/graphql/operations.ts'],
  ignoreNoDocuments: false,
  generates: {
    'web/src/graphql/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', File: 'File' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
      },
    },
  },
};

export default config;
