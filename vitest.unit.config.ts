import {defineConfig} from 'vitest/config'

// npm run test:unit: the edit loop. Only files that test code in process: no lake, no child
// process, no server, no browser. A file that starts one of those belongs in `npm test`.
export default defineConfig({
  test: {
    include: [
      'tests/direction.test.ts',
      'tests/slugify.test.ts',
      'tests/importer.units.test.ts',
      'tests/importer.rules.test.ts',
      'tests/importer.articles.test.ts',
      'tests/importer.seed.test.ts',
      'tests/queries.test.ts',
      'tests/render.test.ts',
      'tests/lake/deadline.test.ts',
      'tests/studio-helpers.test.ts',
      'tests/studio-lakeHost.test.ts',
      'tests/studio-presentation.test.ts',
      'tests/docs.test.ts',
      'tests/validate.shapes.test.ts',
      'tests/cli.groqError.test.ts',
      'tests/lake/deferred.test.ts',
      'tests/lake/jsonSize.test.ts',
    ],
    // Forks, not threads: tests/lake/deadline.test.ts measures its own process's CPU time.
    pool: 'forks',
    testTimeout: 10_000,
  },
})
