import {defineCliConfig} from 'sanity/cli'

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
})
