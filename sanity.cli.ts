import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {defineCliConfig} from 'sanity/cli'
import {exposureGuardPlugin, exposurePolicyFromEnv, viteFsDeny} from './src/dev/exposure'
import {viteCacheDirForRun} from './src/dev/viteCache'

// Vite's root is the project (this file's folder), and the lake's directory (token, drafts) may lie inside it.
const root = path.dirname(fileURLToPath(import.meta.url))
const exposure = exposurePolicyFromEnv(root)

export default defineCliConfig({
  api: {
    projectId: process.env.SANITY_STUDIO_PROJECT_ID || process.env.SANITY_PROJECT_ID || 'local',
    dataset: process.env.SANITY_STUDIO_DATASET || process.env.SANITY_DATASET || 'production',
  },
  typegen: {
    path: ['./src/**/*.{ts,tsx}', './migrations/**/*.ts'],
    schema: 'schema.json',
    generates: './sanity.types.ts',
  },
  // The Studio is served and built locally; no auto-updates from Sanity's CDN.
  deployment: {autoUpdates: false},
  // `sanity dev` serves only what the Studio needs (src/dev/exposure.ts), also on its own port
  // behind npm run dev's front: dotfiles and the lake's directory are refused before Vite reads
  // them, and denied again by Vite's own file-serving check.
  vite: (config, env) => ({
    ...config,
    // `sanity dev` only: concurrent runs must not rebuild one dependency cache under each other (src/dev/viteCache.ts).
    ...(env.command === 'serve' && env.mode === 'development' ? {cacheDir: viteCacheDirForRun(root, config.cacheDir)} : {}),
    // The Studio's static files live in static/ (Sanity's plugin serves them); Vite's public
    // directory would be served without Vite's file-serving check.
    publicDir: false,
    plugins: [exposureGuardPlugin(exposure), ...(config.plugins ?? [])],
    server: {
      ...config.server,
      // Vite's check stays on (npm run dev's front forwards the browser's Host): loopback names only.
      allowedHosts: ['localhost', '.localhost'],
      fs: {...config.server?.fs, strict: true, deny: viteFsDeny(exposure)},
    },
  }),
})
