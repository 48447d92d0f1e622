import {BlockquoteIcon, CaseIcon, DocumentTextIcon, UserIcon, UsersIcon, WarningOutlineIcon} from '@sanity/icons'
import type {StructureResolver} from 'sanity/structure'

export const structure: StructureResolver = (S) =>
  S.list()
    .title('Newsroom')
    .items([
      S.documentTypeListItem('article').title('Articles').icon(DocumentTextIcon),
      S.listItem()
        .title('Quotes')
        .icon(BlockquoteIcon)
        .child(
          S.list()
            .title('Quotes')
            .items([
              S.documentTypeListItem('quote').title('All quotes').icon(BlockquoteIcon),
              S.listItem()
                .title('Quotes to check')
                .icon(WarningOutlineIcon)
                .child(
                  S.documentList()
                    .title('Quotes to check')
                    .apiVersion('2025-02-19')
                    .schemaType('quote')
                    .filter('_type == "quote" && review.needed == true')
                    .defaultOrdering([{field: 'extraction.confidence', direction: 'asc'}]),
                ),
              S.listItem()
                .title('By speaker')
                .icon(UsersIcon)
                .child(
                  S.documentList()
                    .title('Speakers')
                    .apiVersion('2025-02-19')
                    .filter('_type in ["person", "organization"] && count(*[_type == "quote" && speaker._ref == ^._id]) > 0')
                    .child((speakerId) =>
                      S.documentList()
                        .title('Quotes')
                        .apiVersion('2025-02-19')
                        .schemaType('quote')
                        .filter('_type == "quote" && speaker._ref == $speakerId')
                        .params({speakerId}),
                    ),
                ),
            ]),
        ),
      S.documentTypeListItem('person').title('People').icon(UserIcon),
      S.documentTypeListItem('organization').title('Organizations').icon(CaseIcon),
    ])
