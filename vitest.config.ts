import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The differential test runs with the GROQ suite (npm run test:groq), and the hostile tests that boot
    // the Studio's dev server with the browser tests (npm run test:e2e): npm test stays a few minutes.
    exclude: [
      'tests/e2e/**',
      'tests/crash/**',
      'tests/groq/**',
      'tests/compat/**',
      'tests/lake/differential.test.ts',
      'tests/hostile/dev-server.test.ts',
      'tests/hostile/dev-front-leak.test.ts',
      'node_modules/**',
    ],
    // Lake tests start real servers as child processes; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
