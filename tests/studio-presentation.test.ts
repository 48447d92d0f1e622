import {describe, expect, it} from 'vitest'
import {locations, mainDocuments, previewOrigin} from '../src/studio/presentation'

describe('where the Presentation tool finds the site (sanity.config.ts)', () => {
  it('an explicit SANITY_STUDIO_PREVIEW_URL wins', () => {
    expect(previewOrigin('local', 'https://news.example.com/', {protocol: 'https:', hostname: 'local.localhost', port: '3333'})).toBe('https://news.example.com')
    expect(previewOrigin('abc123', 'https://news.example.com')).toBe('https://news.example.com')
  })

  it('a Studio on https://local.localhost:<port> (npm run dev) has the site on site.localhost, same port', () => {
    expect(previewOrigin('local', undefined, {protocol: 'https:', hostname: 'local.localhost', port: '3333'})).toBe('https://site.localhost:3333')
    expect(previewOrigin('local', '', {protocol: 'https:', hostname: 'local.localhost', port: ''})).toBe('https://site.localhost')
  })

  it('anything else gets npm run site\'s default address', () => {
    expect(previewOrigin('local', undefined, {protocol: 'http:', hostname: 'localhost', port: '3333'})).toBe('http://127.0.0.1:3000')
    expect(previewOrigin('abc123', undefined, {protocol: 'https:', hostname: 'local.localhost', port: '3333'})).toBe('http://127.0.0.1:3000')
    expect(previewOrigin('local', undefined, undefined)).toBe('http://127.0.0.1:3000')
  })
})

describe('which pages show a document, and which document a page is about', () => {
  type Resolver = {resolve: (doc: Record<string, unknown> | null) => {locations?: Array<{title: string; href: string}>} | null | undefined | void}
  const hrefs = (type: string, doc: Record<string, unknown> | null) => ((locations[type] as Resolver).resolve(doc) || undefined)?.locations?.map((l) => l.href)

  it('maps each document type to its page, with the slug encoded as the site links it', () => {
    expect(hrefs('article', {title: 'عنوان', slug: 'عنوان-المقال'})).toEqual([`/articles/${encodeURIComponent('عنوان-المقال')}`, '/'])
    expect(hrefs('person', {title: 'كريستيان جيمس', slug: 'christian-james'})).toEqual(['/people/christian-james'])
    expect(hrefs('organization', {title: 'قسد', slug: 'sdf'})).toEqual(['/organizations/sdf'])
    expect(hrefs('quote', {id: 'drafts.quote-1', text: 'نص', articleSlug: 'a', articleTitle: 'A'})).toEqual(['/quotes/quote-1', '/articles/a'])
  })

  it('shows no page for a document without a slug yet', () => {
    expect(hrefs('article', {title: 'بلا عنوان'})).toBeUndefined()
    expect(hrefs('person', null)).toBeUndefined()
  })

  it('names the main document of every page that is about one', () => {
    expect(mainDocuments.map((d) => d.route)).toEqual(['/articles/:slug', '/people/:slug', '/organizations/:slug', '/quotes/:id'])
    for (const d of mainDocuments) expect(d.filter).toMatch(/\$(slug|id)/)
  })
})
