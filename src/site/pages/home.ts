import type {ArticlesPageQueryResult} from '../../../sanity.types'
import {editAttr, html, langAttrs} from '../html'
import {layout, paths, timeElement, type PageContext} from '../layout'

export const ARTICLES_PER_PAGE = 20

/** `/`: the latest articles, newest first, with lead and byline; `?page=` for older ones. */
export function homePage(ctx: PageContext, data: ArticlesPageQueryResult, page: number): string {
  const pages = Math.max(1, Math.ceil(data.total / ARTICLES_PER_PAGE))
  const items = data.articles.map((a) => {
    const edit = (path: string) => editAttr(ctx.edit?.({_id: a._id, _type: 'article'}, path))
    return html`<li ${langAttrs(a.language)}>
<h2><a href="${paths.article(a.slug)}"${edit('headline')}>${a.headline}</a></h2>
${a.lead ? html`<p class="lead"${edit('lead')}>${a.lead}</p>` : ''}
<p class="meta">${timeElement(a.publishedAt, a.language)}${a.publishedAt && (a.byline || a.sourceAgency) ? ' · ' : ''}${a.byline ? html`<span class="byline">${a.byline}</span>` : ''}${a.byline && a.sourceAgency ? ' · ' : ''}${
      a.sourceAgency?.slug ? html`<a href="${paths.organization(a.sourceAgency.slug)}">${a.sourceAgency.name}</a>` : (a.sourceAgency?.name ?? '')
    }</p>
</li>`
  })
  const pager = html`<nav class="pager" aria-label="الصفحات">
<span>${page > 1 ? html`<a href="${page === 2 ? '/' : `/?page=${page - 1}`}" rel="prev">الأحدث</a>` : ''}</span>
<span class="muted">صفحة ${page} من ${pages}</span>
<span>${page < pages ? html`<a href="/?page=${page + 1}" rel="next">الأقدم</a>` : ''}</span>
</nav>`
  const content = html`<h1>آخر الأخبار</h1>
${items.length ? html`<ol class="list">${items}</ol>` : html`<p>لا توجد مقالات منشورة بعد.</p>`}
${pages > 1 ? pager : ''}`
  return layout(ctx, {title: page > 1 ? `آخر الأخبار — صفحة ${page}` : '', canonicalPath: page > 1 ? `/?page=${page}` : '/', ogType: 'website'}, content)
}
