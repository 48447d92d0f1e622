import {defineConfig} from 'vitest/config'

// npm run test:compat: real Sanity tools (the Sanity CLI, @sanity/migrate, @sanity/export,
// @sanity/client's live API) against a local lake. The CLI boots for every command, so this
// suite is kept out of `npm test`; CI runs it.
export default defineConfig({
  test: {
    include: ['tests/compat/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
