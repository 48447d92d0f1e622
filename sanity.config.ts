import {visionTool} from '@sanity/vision'
import {defineConfig} from 'sanity'
import {structureTool} from 'sanity/structure'
import {schemaTypes} from './schemas'
import {DirectionalInput} from './src/studio/DirectionalInput'
import {localLakeApiHost} from './src/studio/lakeHost'
import {structure} from './src/studio/structure'

// SANITY_STUDIO_* variables are the ones Sanity exposes to the browser bundle.
const projectId = process.env.SANITY_STUDIO_PROJECT_ID || 'local'
const dataset = process.env.SANITY_STUDIO_DATASET || 'production'

// Project "local" is the local lake (npm run dev); a hosted project keeps Sanity's own API and login.
const apiHost = localLakeApiHost(projectId, process.env.SANITY_STUDIO_API_HOST)

export default defineConfig({
  name: 'default',
  title: 'Newsroom',
  projectId,
  dataset,
  ...(apiHost ? {apiHost, auth: {loginMethod: 'token' as const, apiHost}} : {}),
  plugins: [structureTool({structure}), visionTool({defaultApiVersion: '2025-02-19'})],
  schema: {types: schemaTypes},
  form: {components: {input: DirectionalInput}},
})
