import {defineConfig} from 'vitest/config'

// Browser tests: a real Studio (npm run dev) in headless Chromium against a fresh local lake; and the
// dev server's hostile-input and connection-leak tests, which boot the same npm run dev without a browser.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts', 'tests/hostile/dev-server.test.ts', 'tests/hostile/dev-front-leak.test.ts'],
    // One Studio and one browser at a time on a 2-core machine.
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
})
