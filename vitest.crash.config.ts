import {defineConfig} from 'vitest/config'

// npm run test:crash: the long SIGKILL and corruption loops, kept out of `npm test`.
export default defineConfig({
  test: {
    include: ['tests/crash/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One file at a time: the loops time kills against start-up, which a busy CPU stretches.
    fileParallelism: false,
  },
})
