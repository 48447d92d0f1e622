import {DocumentTextIcon} from '@sanity/icons'
import {defineArrayMember, defineField, defineType} from 'sanity'
import {messages} from '../../src/content/rules'
import {DirectionalPreview} from '../../src/studio/DirectionalPreview'
import {languageField} from '../fields/language'
import {slugField} from '../fields/slug'

/** A news article (schema.org NewsArticle, IPTC ninjs). */
export const article = defineType({
  name: 'article',
  title: 'Article',
  type: 'document',
  icon: DocumentTextIcon,
  groups: [
    {name: 'content', title: 'Content', default: true},
    {name: 'metadata', title: 'Metadata'},
    {name: 'provenance', title: 'Provenance'},
  ],
  fields: [
    {...languageField, group: 'metadata'},
    defineField({
      name: 'headline',
      title: 'Headline',
      type: 'string',
      group: 'content',
      validation: (rule) => rule.required().error(messages.required('Headline')),
    }),
    defineField({
      name: 'lead',
      title: 'Lead',
      type: 'text',
      rows: 3,
      group: 'content',
      description: 'The standfirst: one or two sentences under the headline.',
    }),
    {...slugField('headline'), group: 'content'},
    defineField({
      name: 'body',
      title: 'Body',
      type: 'blockContent',
      group: 'content',
      validation: (rule) => rule.required().error(messages.required('Body')),
    }),
    defineField({
      name: 'publishedAt',
      title: 'Published at',
      type: 'datetime',
      group: 'metadata',
      description: 'Leave empty when the source gives no date; do not guess one.',
    }),
    defineField({
      name: 'sourceAgency',
      title: 'Source agency',
      type: 'reference',
      to: [{type: 'organization'}],
      group: 'metadata',
    }),
    defineField({
      name: 'byline',
      title: 'Byline',
      type: 'string',
      group: 'metadata',
      description: 'As printed, when the source names its authors.',
    }),
    defineField({
      name: 'credits',
      title: 'Credits',
      type: 'array',
      group: 'metadata',
      of: [defineArrayMember({type: 'reference', to: [{type: 'person'}, {type: 'organization'}]})],
    }),
    defineField({
      name: 'subjects',
      title: 'Subjects',
      type: 'array',
      group: 'metadata',
      of: [defineArrayMember({type: 'string'})],
      options: {layout: 'tags'},
    }),
    defineField({
      name: 'people',
      title: 'People mentioned',
      type: 'array',
      group: 'metadata',
      of: [defineArrayMember({type: 'reference', to: [{type: 'person'}]})],
    }),
    defineField({
      name: 'organizations',
      title: 'Organizations mentioned',
      type: 'array',
      group: 'metadata',
      of: [defineArrayMember({type: 'reference', to: [{type: 'organization'}]})],
    }),
    defineField({
      name: 'sourceText',
      title: 'Source text',
      type: 'text',
      rows: 10,
      group: 'provenance',
      readOnly: true,
      description: 'The agency page text exactly as received. Corrections go in the fields above.',
    }),
  ],
  orderings: [
    {title: 'Newest first', name: 'publishedAtDesc', by: [{field: 'publishedAt', direction: 'desc'}]},
  ],
  components: {preview: DirectionalPreview},
  preview: {
    select: {title: 'headline', lead: 'lead', agency: 'sourceAgency.name'},
    prepare({title, lead, agency}) {
      return {title: title ?? 'Untitled article', subtitle: agency ?? lead}
    },
  },
})
