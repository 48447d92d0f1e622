import {BlockquoteIcon, LinkIcon, UserIcon} from '@sanity/icons'
import {defineArrayMember, defineField, defineType} from 'sanity'
import {checkLinkHref, LINK_SCHEMES, messages} from '../../src/content/rules'
import {QuoteAnnotation} from '../../src/studio/QuoteAnnotation'

/** Article body: Portable Text with quote and mention annotations. */
export const blockContent = defineType({
  name: 'blockContent',
  title: 'Body',
  type: 'array',
  of: [
    defineArrayMember({
      type: 'block',
      styles: [
        {title: 'Normal', value: 'normal'},
        {title: 'Subheading', value: 'h2'},
        {title: 'Minor heading', value: 'h3'},
        {title: 'Block quote', value: 'blockquote'},
      ],
      lists: [],
      marks: {
        decorators: [
          {title: 'Strong', value: 'strong'},
          {title: 'Emphasis', value: 'em'},
        ],
        annotations: [
          defineArrayMember({
            name: 'link',
            title: 'Link',
            type: 'object',
            icon: LinkIcon,
            fields: [
              defineField({
                name: 'href',
                title: 'Address',
                type: 'url',
                validation: (rule) => [
                  rule.uri({scheme: [...LINK_SCHEMES]}).error(messages.linkScheme),
                  rule.custom((href: string | undefined) => checkLinkHref(href)),
                ],
              }),
            ],
          }),
          defineArrayMember({
            name: 'quote',
            title: 'Quote',
            type: 'object',
            icon: BlockquoteIcon,
            description: 'Marks words as a statement and links them to its quote document.',
            components: {annotation: QuoteAnnotation},
            fields: [
              defineField({
                name: 'quote',
                title: 'Quote',
                type: 'reference',
                to: [{type: 'quote'}],
                validation: (rule) => rule.required().error('Choose the quote document these words belong to.'),
              }),
            ],
          }),
          defineArrayMember({
            name: 'mention',
            title: 'Mention',
            type: 'object',
            icon: UserIcon,
            description: 'Links a name in the text to its person or organization.',
            fields: [
              defineField({
                name: 'target',
                title: 'Person or organization',
                type: 'reference',
                to: [{type: 'person'}, {type: 'organization'}],
                validation: (rule) =>
                  rule.required().error('Choose the person or organization this name refers to.'),
              }),
            ],
          }),
        ],
      },
    }),
  ],
})
