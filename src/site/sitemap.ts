// /sitemap.xml (sitemaps.org): the home page, articles, people and organizations. Quotes are left
// out: they are many, and each is reachable from its article and its speaker's page.
import type {SitemapQueryResult} from '../../sanity.types'
import {paths} from './layout'
import {isoDate, xmlEscape as x} from './xml'

/** Per type; three types and the home page stay under the protocol's 50,000 addresses. */
export const SITEMAP_LIMIT = 16_000

export function sitemapXml(siteUrl: string, data: SitemapQueryResult): string {
  const entry = (path: string, updated?: string) => {
    const lastmod = isoDate(updated)
    return `  <url><loc>${x(siteUrl + path)}</loc>${lastmod ? `<lastmod>${x(lastmod)}</lastmod>` : ''}</url>`
  }
  const urls = [
    entry('/'),
    ...data.articles.map((a) => entry(paths.article(a.slug), a._updatedAt)),
    ...data.people.map((p) => entry(paths.person(p.slug), p._updatedAt)),
    ...data.organizations.map((o) => entry(paths.organization(o.slug), o._updatedAt)),
  ]
  return `<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.join('\n')}
</urlset>
`
}
