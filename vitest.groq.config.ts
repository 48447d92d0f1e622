import {defineConfig} from 'vitest/config'

// npm run test:groq: the GROQ conformance suite (GROQ_SUITE) through the lake, beside plain groq-js.
export default defineConfig({
  test: {
    include: ['tests/groq/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
  },
})
