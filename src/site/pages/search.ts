import type {SearchResultsQueryResult} from '../../../sanity.types'
import {html, langAttrs} from '../html'
import {layout, paths, QUOTE_KIND, type PageContext} from '../layout'

export type SearchResult = SearchResultsQueryResult[number]

/** `/search?q=`: results in the order the folded index ranked them. */
export function searchPage(ctx: PageContext, q: string, results: readonly SearchResult[], total: number): string {
  const items = results.map((r) => {
    if (r._type === 'article') {
      return html`<li ${langAttrs(r.language)}><h2><a href="${paths.article(r.slug)}">${r.headline}</a></h2>${r.lead ? html`<p>${r.lead}</p>` : ''}<p class="muted">مقال</p></li>`
    }
    if (r._type === 'quote') {
      const speaker = r.speaker?.slug ? html`<a href="${r.speaker._type === 'person' ? paths.person(r.speaker.slug) : paths.organization(r.speaker.slug)}">${r.speaker.name}</a>` : (r.speaker?.name ?? '')
      return html`<li ${langAttrs(r.language)}><blockquote class="quote"><a href="${paths.quote(r._id)}">${r.text}</a></blockquote><p class="muted">${speaker} · ${QUOTE_KIND[r.kind] ?? r.kind}${
        r.article?.slug ? html` · <a href="${paths.article(r.article.slug)}">${r.article.headline}</a>` : ''
      }</p></li>`
    }
    return ''
  })
  const summary = q ? (total === 0 ? html`<p>لا نتائج لـ «<bdi>${q}</bdi>».</p>` : html`<p class="muted">${total} نتيجة لـ «<bdi>${q}</bdi>»${total > results.length ? html`، تظهر أول ${results.length}` : ''}.</p>`) : html`<p>اكتب كلمة أو أكثر للبحث في العناوين والمقدمات والنصوص والأقوال.</p>`
  const content = html`<h1>البحث</h1>
<form class="search-form" role="search" aria-label="البحث في هذه الصفحة" action="/search" method="get"><input type="search" name="q" value="${q}" maxlength="200" aria-label="كلمات البحث"><button type="submit">بحث</button></form>
${summary}
${items.length ? html`<ol class="list">${items}</ol>` : ''}`
  return layout(ctx, {title: q ? `بحث: ${q}` : 'البحث'}, content)
}
