import type {QuotePageQueryResult} from '../../../sanity.types'
import {renderBody} from '../../content/render'
import {editAttr, html, langAttrs, raw} from '../html'
import {quotationLd} from '../jsonld'
import {layout, paths, QUOTE_KIND, timeElement, type PageContext} from '../layout'

/** `/quotes/<id>`: the quote, its speaker and kind, the paragraph around it, a link to the article. */
export function quotePage(ctx: PageContext, quote: NonNullable<QuotePageQueryResult>): string {
  const speaker = quote.speaker
  const speakerHref = speaker?.slug ? (speaker._type === 'person' ? paths.person(speaker.slug) : paths.organization(speaker.slug)) : undefined
  const speakerEdit = speaker ? editAttr(ctx.edit?.({_id: speaker._id, _type: speaker._type}, 'name')) : ''
  const article = quote.article
  const paragraph = quote.paragraph
    ? raw(renderBody([quote.paragraph], {paths, ...(ctx.edit && article ? {edit: {attribute: ctx.edit, doc: {_id: article._id, _type: 'article'}}} : {})}))
    : ''
  const jsonLd = {'@context': 'https://schema.org', ...quotationLd(ctx, quote, article)}
  // The page's heading names whose words these are; the words themselves follow as the quotation.
  const content = html`<article ${langAttrs(quote.language)}>
<h1 class="kicker" lang="ar" dir="rtl">${speaker ? html`قول <bdi>${speaker.name}</bdi>` : 'قول'}</h1>
<blockquote class="quote"><p${editAttr(ctx.edit?.({_id: quote._id, _type: 'quote'}, 'text'))}>${quote.text}</p></blockquote>
<p class="meta">${speaker ? html`<a href="${speakerHref ?? '#'}"${speakerEdit}>${speaker.name}</a>${speaker.jobTitle ? html` · ${speaker.jobTitle}` : ''}` : 'المتحدث غير معروف'} · ${QUOTE_KIND[quote.kind] ?? quote.kind}${
    quote.saidAt ? html` · ${timeElement(quote.saidAt, quote.language)}` : ''
  }</p>
${
  article?.slug
    ? html`<section ${langAttrs(article.language)}>
<h2 lang="ar" dir="rtl">من المقال</h2>
<p><a href="${paths.article(article.slug, quote.blockKey)}">${article.headline}</a>${article.publishedAt ? html` · ${timeElement(article.publishedAt, article.language)}` : ''}${article.sourceAgency ? html` · ${article.sourceAgency}` : ''}</p>
${paragraph ? html`<div class="paragraph">${paragraph}</div>` : ''}
</section>`
    : ''
}
</article>`
  const text = quote.text ?? ''
  const title = text.length > 80 ? `${text.slice(0, 79)}…` : text
  return layout(ctx, {title: speaker ? `${speaker.name}: ${title}` : title, description: quote.text, canonicalPath: paths.quote(quote._id), language: quote.language, ogType: 'article', jsonLd}, content)
}
