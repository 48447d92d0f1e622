import type {PersonPageQueryResult} from '../../../sanity.types'
import {renderMainImage} from '../../content/render'
import {isSafeHref} from '../../content/rules'
import {editAttr, html, langAttrs, raw} from '../html'
import {entityLd, quotationLd} from '../jsonld'
import {absolute, layout, paths, QUOTE_KIND, timeElement, type PageContext} from '../layout'

export const QUOTES_PER_ENTITY = 200

type Statement = NonNullable<PersonPageQueryResult>['quotes'][number]

/** A list of statements, each linking to its quote page and to the paragraph it comes from. */
export function statementList(ctx: PageContext, quotes: readonly Statement[]) {
  return html`<ul class="list">${quotes.map(
    (q) => html`<li ${langAttrs(q.language)}>
<blockquote class="quote"><a href="${paths.quote(q._id)}"${editAttr(ctx.edit?.({_id: q._id, _type: 'quote'}, 'text'))}>${q.text}</a></blockquote>
<p class="muted">${QUOTE_KIND[q.kind] ?? q.kind}${q.saidAt ? html` · ${timeElement(q.saidAt, q.language)}` : ''}${
      q.article?.slug
        ? html` · <a href="${paths.article(q.article.slug, q.blockKey)}" ${langAttrs(q.article.language)}>${q.article.headline}</a>${
            !q.saidAt && q.article.publishedAt ? html` · ${timeElement(q.article.publishedAt, q.article.language)}` : ''
          }`
        : ''
    }</p>
</li>`,
  )}</ul>`
}

export function sameAsList(links: readonly string[] | null | undefined) {
  const safe = (links ?? []).filter((href) => typeof href === 'string' && isSafeHref(href) && /^https?:/i.test(href.trim()))
  return safe.length ? html`<p class="muted">${safe.map((href, i) => html`${i ? ' · ' : ''}<a href="${href.trim()}" rel="noopener" dir="ltr">${new URL(href.trim()).hostname}</a>`)}</p>` : ''
}

/** `/people/<slug>`: name (Arabic and Latin), title, affiliation and every quote, newest first. */
export function personPage(ctx: PageContext, person: NonNullable<PersonPageQueryResult>): string {
  const edit = (path: string) => editAttr(ctx.edit?.({_id: person._id, _type: 'person'}, path))
  const url = absolute(ctx, paths.person(person.slug))
  const jsonLd = {
    '@context': 'https://schema.org',
    '@graph': [
      {
        ...entityLd(ctx, {...person, _type: 'person'}),
        ...(person.affiliation ? {affiliation: entityLd(ctx, {...person.affiliation, _type: 'organization'})} : {}),
        ...(person.sameAs?.length ? {sameAs: person.sameAs.filter((s) => isSafeHref(s))} : {}),
      },
      ...person.quotes.map((q) => quotationLd(ctx, {...q, speaker: {...person, _type: 'person'}}, q.article)),
    ],
  }
  const portrait = renderMainImage(person.portrait, ctx.images, ctx.edit ? String(edit('portrait')) : '', {className: 'portrait', sizes: '10rem'})
  const content = html`<header>
${raw(portrait)}
<h1 lang="ar" dir="rtl"${edit('name')}>${person.name}</h1>
${person.nameLatin ? html`<p class="muted" lang="en" dir="ltr"${edit('nameLatin')}>${person.nameLatin}</p>` : ''}
${person.jobTitle ? html`<p lang="ar" dir="rtl"${edit('jobTitle')}>${person.jobTitle}</p>` : ''}
${person.affiliation?.slug ? html`<p>${'الجهة: '}<a href="${paths.organization(person.affiliation.slug)}">${person.affiliation.name}</a></p>` : ''}
${sameAsList(person.sameAs)}
</header>
<section aria-labelledby="quotes-title">
<h2 id="quotes-title">الأقوال (${person.quotes.length})</h2>
${person.quotes.length ? statementList(ctx, person.quotes) : html`<p>لا أقوال منسوبة بعد.</p>`}
</section>`
  return layout(
    ctx,
    {
      title: person.name,
      description: [person.jobTitle, person.nameLatin].filter(Boolean).join(' · ') || null,
      canonicalPath: paths.person(person.slug),
      ogType: 'profile',
      jsonLd: {...jsonLd, url},
    },
    content,
  )
}
