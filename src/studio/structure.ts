import {
  BlockquoteIcon,
  CalendarIcon,
  CaseIcon,
  DocumentTextIcon,
  EyeOpenIcon,
  ImageIcon,
  TagIcon,
  UserIcon,
  UsersIcon,
  WarningOutlineIcon,
} from '@sanity/icons'
import type {StructureBuilder, StructureResolver} from 'sanity/structure'
import {AR_LOCALE_ID} from './locale/ar'
import {arabicTitles, translateSchemaText} from './locale/fields'
import {QUOTE_BY_SPEAKER} from './templates'
import {startOfLocalDay} from './workflow'

const API_VERSION = '2025-02-19'

function articleList(S: StructureBuilder, title: string, filter: string, params: Record<string, unknown> = {}) {
  return S.documentList()
    .title(title)
    .apiVersion(API_VERSION)
    .schemaType('article')
    .filter(`_type == "article" && ${filter}`)
    .params(params)
    .defaultOrdering([{field: 'publishedAt', direction: 'desc'}])
}

const SPEAKER_TYPES = ['person', 'organization'] as const

function isSpeakerTemplate(template: unknown): template is (typeof SPEAKER_TYPES)[number] {
  return SPEAKER_TYPES.some((type) => type === template)
}

/** One speaker's quotes. Its "+" makes a quote by this speaker and opens it beside this list. */
function speakerQuotes(S: StructureBuilder, speakerId: string, title: string) {
  return (
    S.documentList()
      .id(`quotes-by-${speakerId}`)
      .title(title)
      .apiVersion(API_VERSION)
      .schemaType('quote')
      .filter('_type == "quote" && speaker._ref == $speakerId')
      .params({speakerId})
      // Without this, the Studio's intent resolver looks for a pane from the root and opens the new quote
      // beside "All quotes": a list built per speaker cannot be found that way.
      .canHandleIntent((intent, params) => intent === 'create' && params.template === QUOTE_BY_SPEAKER)
      .initialValueTemplates([S.initialValueTemplateItem(QUOTE_BY_SPEAKER, {speakerId})])
  )
}

export const structure: StructureResolver = (S, context) => {
  // The structure is built again when the interface language changes.
  const l = (title: string) => (context.i18n.currentLocale.id === AR_LOCALE_ID ? translateSchemaText(title, arabicTitles) : title)
  return S.list()
    .title(l('Newsroom'))
    .items([
      S.documentTypeListItem('article').title(l('Articles')).icon(DocumentTextIcon),
      S.listItem()
        .id('in-review')
        .title(l('In review'))
        .icon(EyeOpenIcon)
        .child(articleList(S, l('In review'), 'status == "inReview"')),
      S.listItem()
        .id('published-today')
        .title(l('Published today'))
        .icon(CalendarIcon)
        // "Today" is worked out when the list is opened, not when the Studio loaded.
        .child(() =>
          articleList(S, l('Published today'), '!(_id in path("drafts.**")) && publishedAt >= $since', {since: startOfLocalDay(new Date())}),
        ),
      S.listItem()
        .id('missing-image')
        .title(l('Missing image'))
        .icon(ImageIcon)
        .child(articleList(S, l('Missing image'), '!defined(mainImage.asset)')),
      S.divider(),
      // Ids fixed here: without one, an item's id (its place in the URL) comes from its title, which
      // changes with the interface language.
      S.listItem()
        .id('quotes')
        .title(l('Quotes'))
        .icon(BlockquoteIcon)
        .child(
          S.list()
            .title(l('Quotes'))
            .items([
              S.documentTypeListItem('quote').title(l('All quotes')).icon(BlockquoteIcon),
              S.listItem()
                .id('quotes-to-check')
                .title(l('Quotes to check'))
                .icon(WarningOutlineIcon)
                .child(
                  S.documentList()
                    .title(l('Quotes to check'))
                    .apiVersion(API_VERSION)
                    .schemaType('quote')
                    .filter('_type == "quote" && review.needed == true')
                    .defaultOrdering([{field: 'extraction.confidence', direction: 'asc'}]),
                ),
              S.listItem()
                .id('by-speaker')
                .title(l('By speaker'))
                .icon(UsersIcon)
                .child(
                  S.documentList()
                    .id('speakers')
                    .title(l('Speakers'))
                    .apiVersion(API_VERSION)
                    .filter('_type in ["person", "organization"] && count(*[_type == "quote" && speaker._ref == ^._id]) > 0')
                    .child((id, {params}) =>
                      // A speaker made with "+" here opens beside this list, in its own form.
                      isSpeakerTemplate(params.template)
                        ? S.document().documentId(id).schemaType(params.template)
                        : speakerQuotes(S, id, l('Quotes')),
                    )
                    .canHandleIntent((intent, params) => intent === 'create' && isSpeakerTemplate(params.template))
                    // "+" here makes a speaker, not a quote. Last in the chain: each later call infers the
                    // templates again from the filter (which names "quote") and would replace these.
                    .initialValueTemplates(SPEAKER_TYPES.map((type) => S.initialValueTemplateItem(type))),
                ),
            ]),
        ),
      S.documentTypeListItem('person').title(l('People')).icon(UserIcon),
      S.documentTypeListItem('organization').title(l('Organizations')).icon(CaseIcon),
      S.documentTypeListItem('section').title(l('Sections')).icon(TagIcon),
    ])
}
