// /feed.xml: an Atom feed (RFC 4287) of the latest articles, written here with full escaping
// rather than through a library: it is one small, fixed shape.
import type {ArticlesPageQueryResult} from '../../sanity.types'
import {paths} from './layout'
import {isoDate, xmlEscape as x} from './xml'

export const FEED_ENTRIES = 20

export function atomFeed(site: {siteUrl: string; siteName: string}, articles: ArticlesPageQueryResult['articles']): string {
  const url = (path: string) => `${site.siteUrl}${path}`
  const updated = articles.map((a) => isoDate(a._updatedAt)).filter(Boolean).sort().at(-1) ?? new Date(0).toISOString()
  const entries = articles.map((a) => {
    const link = url(paths.article(a.slug))
    const published = isoDate(a.publishedAt)
    const author = a.byline || a.sourceAgency?.name
    return `  <entry xml:lang="${x(a.language || 'ar')}">
    <id>${x(link)}</id>
    <title>${x(a.headline)}</title>
    <link rel="alternate" type="text/html" href="${x(link)}"/>
    <updated>${x(isoDate(a._updatedAt) ?? updated)}</updated>
${published ? `    <published>${x(published)}</published>\n` : ''}${author ? `    <author><name>${x(author)}</name></author>\n` : ''}${a.lead ? `    <summary>${x(a.lead)}</summary>\n` : ''}  </entry>`
  })
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">
  <id>${x(url('/'))}</id>
  <title>${x(site.siteName)}</title>
  <updated>${x(updated)}</updated>
  <author><name>${x(site.siteName)}</name></author>
  <link rel="self" type="application/atom+xml" href="${x(url('/feed.xml'))}"/>
  <link rel="alternate" type="text/html" href="${x(url('/'))}"/>
${entries.join('\n')}
</feed>
`
}
