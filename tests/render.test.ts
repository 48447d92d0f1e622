import {evaluate, parse} from 'groq-js'
import {describe, expect, it} from 'vitest'
import type {ArticleBySlugQueryResult} from '../sanity.types'
import {renderArticle, type RenderableArticle} from '../src/content/render'
import {articleBySlugQuery} from '../src/queries'
import type {ValidatableDocument} from '../src/content/validate'
import {article, copy, fixtureDocuments} from './fixtures/documents'

async function queryArticle(dataset: ValidatableDocument[]): Promise<RenderableArticle> {
  const params = {slug: article.slug.current}
  const result = (await (await evaluate(parse(articleBySlugQuery, {params}), {dataset, params})).get()) as ArticleBySlugQueryResult
  if (!result) throw new Error('fixture article not found')
  return result
}

describe('renderArticle', () => {
  it('renders a right-to-left article with headline, lead, quotes and mentions', async () => {
    const html = renderArticle(await queryArticle(fixtureDocuments))
    expect(html.startsWith('<article lang="ar" dir="rtl">')).toBe(true)
    expect(html).toContain(`<h1>${article.headline}</h1>`)
    expect(html).toContain(`<p class="lead">${article.lead}</p>`)
    expect(html).toMatch(/<q cite="\/quotes\/quote-fixture-dam-1" data-quote-id="quote-fixture-dam-1" data-kind="direct" title="ليلى حداد" style="quotes: none">/)
    expect(html).toContain('<a href="/people/layla-haddad" class="mention mention-person">ليلى حداد</a>')
    expect(html).toContain('<a href="https://example.org/dam" rel="noopener">')
  })

  it('renders h2 subheadings and a full document with lang and dir', async () => {
    const docs = copy(fixtureDocuments)
    const art = docs.find((d) => d._id === article._id) as typeof article
    art.body.unshift({_type: 'block', _key: 'h', style: 'h2', markDefs: [], children: [{_type: 'span', _key: 'hs', text: 'عنوان فرعي', marks: []}]})
    const html = renderArticle(await queryArticle(docs), {document: true})
    expect(html).toMatch(/^<!doctype html>\n<html lang="ar" dir="rtl">/)
    expect(html).toContain('<h2>عنوان فرعي</h2>')
    expect(html).toContain(`<title>${article.headline}</title>`)
  })

  it('escapes markup in text and drops unsafe links but keeps their words', async () => {
    const docs = copy(fixtureDocuments)
    const art = docs.find((d) => d._id === article._id) as typeof article
    art.headline = 'عنوان <img src=x onerror=alert(1)>'
    const block = art.body[0]!
    block.children[0]!.text = '<script>alert("x")</script> وقالت '
    block.markDefs[2] = {_type: 'link', _key: 'l1', href: 'javascript:alert(1)'}
    const html = renderArticle(await queryArticle(docs), {document: true})
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expect(html).not.toContain('<img')
    expect(html).not.toMatch(/javascript:/i)
    expect(html).toContain('«السد جاهز للعمل»')
  })

  it('uses the paths it is given for mentions and quotes', async () => {
    const html = renderArticle(await queryArticle(fixtureDocuments), {
      paths: {person: (slug) => `https://news.example/p/${slug}`, quote: (id) => `#${id}`},
    })
    expect(html).toContain('href="https://news.example/p/layla-haddad"')
    expect(html).toContain('cite="#quote-fixture-dam-1"')
  })
})
