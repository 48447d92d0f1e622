import {defineArrayMember, defineField, defineType} from 'sanity'
import {messages} from '../../src/content/rules'
import {DirectionalPreview} from '../../src/studio/DirectionalPreview'
import {QuoteIcon} from '../../src/studio/QuoteIcon'
import {languageField} from '../fields/language'

const QUOTE_KINDS = [
  {title: 'Direct (the speaker’s own words)', value: 'direct'},
  {title: 'Indirect (reported speech)', value: 'indirect'},
]

/** A statement attributed to a speaker (schema.org Quotation; Quotebank keeps the same facts). */
export const quote = defineType({
  name: 'quote',
  title: 'Quote',
  type: 'document',
  // Marks list rows and search hits for a two-line title (src/studio/RtlLayout.tsx).
  icon: QuoteIcon,
  fieldsets: [
    {name: 'technical', title: 'Technical details', description: 'Set by the importer.', options: {collapsible: true, collapsed: true}},
  ],
  fields: [
    languageField,
    defineField({
      name: 'text',
      title: 'Text',
      type: 'text',
      rows: 4,
      description: 'Exactly as in the article, including the source’s own spelling.',
      validation: (rule) => rule.required().error(messages.required('Text')),
    }),
    defineField({
      name: 'speaker',
      title: 'Speaker',
      type: 'reference',
      description: 'A person, or an organization for a statement by a body such as a ministry.',
      to: [{type: 'person'}, {type: 'organization'}],
      validation: (rule) => rule.required().error(messages.speaker),
    }),
    defineField({
      name: 'kind',
      title: 'Kind',
      type: 'string',
      options: {list: QUOTE_KINDS, layout: 'radio'},
      initialValue: 'direct',
      validation: (rule) => rule.required().error(messages.quoteKind),
    }),
    defineField({
      name: 'article',
      title: 'Article',
      type: 'reference',
      to: [{type: 'article'}],
      description: 'The article the statement was published in.',
    }),
    defineField({
      name: 'blockKey',
      title: 'Paragraph key',
      type: 'string',
      description: 'Which body paragraph holds the statement (set by the importer).',
      fieldset: 'technical',
      readOnly: true,
    }),
    defineField({
      name: 'about',
      title: 'About',
      type: 'array',
      of: [defineArrayMember({type: 'reference', to: [{type: 'organization'}, {type: 'person'}]})],
    }),
    defineField({
      name: 'subjects',
      title: 'Subjects',
      type: 'array',
      of: [defineArrayMember({type: 'string'})],
      options: {layout: 'tags'},
    }),
    defineField({
      name: 'extraction',
      title: 'How it was found',
      type: 'object',
      description: 'Set by the importer: the cue that introduced the quote, and how sure the attribution is.',
      readOnly: true,
      fieldset: 'technical',
      fields: [
        defineField({name: 'cue', title: 'Cue', type: 'string', description: 'The reporting verb or quote mark, as in the text.'}),
        defineField({name: 'confidence', title: 'Confidence', type: 'number', description: '0 to 1.'}),
        defineField({name: 'basis', title: 'How the speaker was found', type: 'string'}),
      ],
    }),
    defineField({
      name: 'review',
      title: 'Review',
      type: 'object',
      description: 'The importer was not sure of the speaker. Check it, then untick “Needs review”.',
      fields: [
        defineField({name: 'needed', title: 'Needs review', type: 'boolean', initialValue: false}),
        defineField({name: 'reason', title: 'Why', type: 'string', readOnly: true}),
      ],
    }),
    defineField({
      name: 'saidAt',
      title: 'Said at',
      type: 'datetime',
      description: 'Leave empty when the source does not say when.',
    }),
  ],
  components: {preview: DirectionalPreview},
  preview: {
    select: {text: 'text', speaker: 'speaker.name', kind: 'kind'},
    prepare({text, speaker, kind}) {
      return {
        title: text ?? 'Empty quote',
        subtitle: [speaker, kind === 'indirect' ? 'indirect' : kind === 'direct' ? 'direct' : undefined]
          .filter(Boolean)
          .join(' · '),
      }
    },
  },
})
