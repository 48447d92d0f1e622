import {defineConfig} from 'vitest/config'

// npm run test:groq: the GROQ conformance suite (GROQ_SUITE) through the lake, beside plain groq-js, and
// the differential test (generated queries over the bench's documents, the lake against plain groq-js).
export default defineConfig({
  test: {
    include: ['tests/groq/**/*.test.ts', 'tests/lake/differential.test.ts'],
    pool: 'forks',
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
  },
})
