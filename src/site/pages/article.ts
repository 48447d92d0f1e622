import {renderArticle, type RenderableArticle} from '../../content/render'
import {html, langAttrs, raw} from '../html'
import {newsArticleLd} from '../jsonld'
import {layout, paths, QUOTE_KIND, type PageContext} from '../layout'

/** `/articles/<slug>`: the article through the shared renderer, each paragraph anchored by its _key. */
export function articlePage(ctx: PageContext, article: RenderableArticle): string {
  const body = renderArticle(article, {
    paths,
    anchors: true,
    ...(ctx.images ? {images: ctx.images} : {}),
    ...(ctx.edit ? {edit: {attribute: ctx.edit, doc: {_id: article._id, _type: 'article'}}} : {}),
  })
  const quotes = article.quotes.filter((q) => q.text)
  const quoteList = quotes.length
    ? html`<section aria-labelledby="quotes-title">
<h2 id="quotes-title" lang="ar" dir="rtl">الأقوال في هذا المقال</h2>
<ul class="list">${quotes.map(
        (q) => html`<li ${langAttrs(article.language)}>
<a href="${paths.quote(q._id)}">${q.text}</a>
<p class="muted">${q.speaker?.slug ? html`<a href="${q.speaker._type === 'person' ? paths.person(q.speaker.slug) : paths.organization(q.speaker.slug)}">${q.speaker.name}</a>` : (q.speaker?.name ?? '')} · ${QUOTE_KIND[q.kind] ?? q.kind}${
          q.blockKey ? html` · <a href="#${encodeURIComponent(q.blockKey)}">الفقرة</a>` : ''
        }</p>
</li>`,
      )}</ul>
</section>`
    : ''
  return layout(
    ctx,
    {
      title: article.headline,
      description: article.lead,
      canonicalPath: paths.article(article.slug),
      language: article.language,
      ogType: 'article',
      jsonLd: newsArticleLd(ctx, article),
    },
    html`${raw(body)}
${quoteList}`,
  )
}
