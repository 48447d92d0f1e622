import type {OrganizationPageQueryResult} from '../../../sanity.types'
import {isSafeHref} from '../../content/rules'
import {editAttr, html, langAttrs} from '../html'
import {entityLd, quotationLd} from '../jsonld'
import {layout, paths, timeElement, type PageContext} from '../layout'
import {sameAsList, statementList} from './person'

/** `/organizations/<slug>`: the organization, its statements and the articles that mention it. */
export function organizationPage(ctx: PageContext, org: NonNullable<OrganizationPageQueryResult>): string {
  const edit = (path: string) => editAttr(ctx.edit?.({_id: org._id, _type: 'organization'}, path))
  const jsonLd = {
    '@context': 'https://schema.org',
    '@graph': [
      {...entityLd(ctx, {...org, _type: 'organization'}), ...(org.sameAs?.length ? {sameAs: org.sameAs.filter((s) => isSafeHref(s))} : {})},
      ...org.statements.map((q) => quotationLd(ctx, {...q, speaker: {...org, _type: 'organization'}}, q.article)),
    ],
  }
  const content = html`<header>
<h1 lang="ar" dir="rtl"${edit('name')}>${org.name}</h1>
${org.shortNames?.length ? html`<p class="muted" lang="ar" dir="rtl">${org.shortNames.join('، ')}</p>` : ''}
${org.nameLatin ? html`<p class="muted" lang="en" dir="ltr"${edit('nameLatin')}>${org.nameLatin}</p>` : ''}
${sameAsList(org.sameAs)}
</header>
${org.statements.length ? html`<section aria-labelledby="statements-title"><h2 id="statements-title">التصريحات (${org.statements.length})</h2>${statementList(ctx, org.statements)}</section>` : ''}
<section aria-labelledby="articles-title">
<h2 id="articles-title">مقالات تذكرها</h2>
${
  org.articles.length
    ? html`<ul class="list">${org.articles.map(
        (a) => html`<li ${langAttrs(a.language)}><h3><a href="${paths.article(a.slug)}">${a.headline}</a></h3>${a.lead ? html`<p>${a.lead}</p>` : ''}<p class="meta">${timeElement(a.publishedAt, a.language)}</p></li>`,
      )}</ul>`
    : html`<p>لا مقالات بعد.</p>`
}
</section>`
  return layout(ctx, {title: org.name, description: org.nameLatin, canonicalPath: paths.organization(org.slug), ogType: 'profile', jsonLd}, content)
}
