import {visionTool} from '@sanity/vision'
import {defineConfig} from 'sanity'
import {presentationTool} from 'sanity/presentation'
import {structureTool} from 'sanity/structure'
import {schemaTypes} from './schemas'
import {DirectionalInput} from './src/studio/DirectionalInput'
import {localLakeApiHost} from './src/studio/lakeHost'
import {arabicLocalePlugin} from './src/studio/locale/ar'
import {NavbarWithLanguage} from './src/studio/locale/LanguageSwitch'
import {LocalizedField} from './src/studio/locale/LocalizedField'
import {documentActions} from './src/studio/publishedAtAction'
import {RtlLayout} from './src/studio/RtlLayout'
import {locations, mainDocuments, PREVIEW_MODE_ENABLE, previewOrigin} from './src/studio/presentation'
import {structure} from './src/studio/structure'
import {templates} from './src/studio/templates'

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
  plugins: [
    structureTool({structure}),
    // The reader's site beside the form (src/studio/presentation.ts); SANITY_STUDIO_PREVIEW_URL says where it is.
    presentationTool({
      previewUrl: {
        initial: previewOrigin(projectId, process.env.SANITY_STUDIO_PREVIEW_URL),
        previewMode: {enable: PREVIEW_MODE_ENABLE},
      },
      resolve: {locations, mainDocuments},
    }),
    visionTool({defaultApiVersion: '2025-02-19'}),
    // العربية beside English, chosen at the end of the top bar (src/studio/locale/).
    arabicLocalePlugin(),
  ],
  schema: {types: schemaTypes, templates},
  // publishedAt is set on first publish (src/studio/publishedAtAction.ts).
  document: {actions: documentActions},
  form: {components: {input: DirectionalInput, field: LocalizedField}},
  // Right-to-left titles where the Studio draws plain strings (src/studio/RtlLayout.tsx); the language switch.
  studio: {components: {layout: RtlLayout, navbar: NavbarWithLanguage}},
})
