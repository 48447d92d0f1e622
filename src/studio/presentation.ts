// The Presentation tool: the reader's site beside the form, following the document being edited.
import {defineDocuments, defineLocations, type DocumentLocationResolvers, type DocumentResolver} from 'sanity/presentation'
import {LOCAL_PROJECT_ID} from './lakeHost'

/** The site `npm run site` serves when nothing else says where the site is. */
const DEFAULT_SITE_URL = 'http://127.0.0.1:3000'
/** The site's host name on npm run dev's front (src/dev/hosts.ts). */
const SITE_HOST_NAME = 'site.localhost'

/**
 * Where the site is. An explicit SANITY_STUDIO_PREVIEW_URL always wins; a Studio served by
 * `npm run dev` from https://local.localhost:<port> has the site on https://site.localhost:<port>
 * (the same front, so the same certificate, and https, so the Studio may frame it).
 */
export function previewOrigin(
  projectId: string,
  explicit: string | undefined,
  location: {protocol: string; hostname: string; port: string} | undefined = browserLocation(),
): string {
  if (explicit) return explicit.replace(/\/+$/, '')
  if (projectId === LOCAL_PROJECT_ID && location?.hostname === `${LOCAL_PROJECT_ID}.localhost`) {
    return `${location.protocol}//${SITE_HOST_NAME}${location.port ? `:${location.port}` : ''}`
  }
  return DEFAULT_SITE_URL
}

/** The site's route for preview mode (src/site/app.ts): it checks the secret the tool writes into the dataset. */
export const PREVIEW_MODE_ENABLE = '/api/draft-mode/enable'

const path = (prefix: string, slug: unknown) => (typeof slug === 'string' && slug ? `${prefix}/${encodeURIComponent(slug)}` : undefined)

/** Which pages of the site show a document (the "Used on pages" list and the tool's navigation). */
export const locations: DocumentLocationResolvers = {
  article: defineLocations({
    select: {title: 'headline', slug: 'slug.current'},
    resolve: (doc) => {
      const href = path('/articles', doc?.slug)
      return href ? {locations: [{title: doc?.title || 'Untitled article', href}, {title: 'Home page', href: '/'}]} : null
    },
  }),
  person: defineLocations({
    select: {title: 'name', slug: 'slug.current'},
    resolve: (doc) => {
      const href = path('/people', doc?.slug)
      return href ? {locations: [{title: doc?.title || 'Unnamed person', href}]} : null
    },
  }),
  organization: defineLocations({
    select: {title: 'name', slug: 'slug.current'},
    resolve: (doc) => {
      const href = path('/organizations', doc?.slug)
      return href ? {locations: [{title: doc?.title || 'Untitled organization', href}]} : null
    },
  }),
  quote: defineLocations({
    select: {text: 'text', id: '_id', articleTitle: 'article.headline', articleSlug: 'article.slug.current'},
    resolve: (doc) => {
      if (!doc?.id) return null
      const id = String(doc.id).replace(/^drafts\./, '')
      const article = path('/articles', doc.articleSlug)
      return {
        locations: [
          {title: doc.text ? String(doc.text).slice(0, 80) : 'Quote', href: `/quotes/${encodeURIComponent(id)}`},
          ...(article ? [{title: doc.articleTitle || 'Article', href: article}] : []),
        ],
      }
    },
  }),
}

/** The document a page is about, so that opening a page in the tool opens its document in the form. */
export const mainDocuments: DocumentResolver[] = defineDocuments([
  {route: '/articles/:slug', filter: `_type == "article" && slug.current == $slug`},
  {route: '/people/:slug', filter: `_type == "person" && slug.current == $slug`},
  {route: '/organizations/:slug', filter: `_type == "organization" && slug.current == $slug`},
  {route: '/quotes/:id', filter: `_type == "quote" && _id == $id`},
])

function browserLocation(): {protocol: string; hostname: string; port: string} | undefined {
  return typeof window === 'undefined' || typeof window.location !== 'object' ? undefined : window.location
}
