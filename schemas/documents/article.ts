import {DocumentTextIcon, ImageIcon} from '@sanity/icons'
import {defineArrayMember, defineField, defineType} from 'sanity'
import {messages} from '../../src/content/rules'
import {DirectionalPreview} from '../../src/studio/DirectionalPreview'
import {titleI18n} from '../../src/studio/locale/fields'
import {ARTICLE_STATUSES} from '../../src/studio/workflow'
import {languageField} from '../fields/language'
import {altField} from '../fields/alt'
import {slugField} from '../fields/slug'

/** A news article (schema.org NewsArticle, IPTC ninjs). */
export const article = defineType({
  name: 'article',
  title: 'Article',
  type: 'document',
  icon: DocumentTextIcon,
  groups: [
    {name: 'content', title: 'Content', default: true, i18n: titleI18n('Content')},
    {name: 'metadata', title: 'Metadata', i18n: titleI18n('Metadata')},
    {name: 'provenance', title: 'Provenance', i18n: titleI18n('Provenance')},
  ],
  fieldsets: [{name: 'workflow', title: 'Workflow', options: {columns: 2}}],
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
      name: 'mainImage',
      title: 'Main image',
      type: 'image',
      icon: ImageIcon,
      group: 'content',
      description: 'Shown at the top of the article and in lists. Drag the hotspot onto what must never be cropped.',
      options: {hotspot: true},
      fields: [
        altField('What the picture shows, for readers who cannot see it, e.g. «مقاتلون من قسد عند حاجز قرب الرقة».'),
        defineField({name: 'caption', title: 'Caption', type: 'string', description: 'Printed under the picture.'}),
        defineField({
          name: 'credit',
          title: 'Credit',
          type: 'string',
          description: 'Who took or owns the picture, e.g. «هاوار» or «رويترز».',
        }),
      ],
    }),
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
      fieldset: 'workflow',
      description: 'Set on first publish when empty; change it if the source gives another date. Do not guess one.',
    }),
    defineField({
      name: 'status',
      title: 'Status',
      type: 'string',
      group: 'metadata',
      fieldset: 'workflow',
      options: {list: [...ARTICLE_STATUSES], layout: 'radio', direction: 'horizontal'},
      initialValue: 'draft',
    }),
    defineField({
      name: 'section',
      title: 'Section',
      type: 'reference',
      to: [{type: 'section'}],
      group: 'metadata',
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
      description: 'As printed, when the source names its authors. Staff authors go in "Authors" below.',
    }),
    defineField({
      name: 'authors',
      title: 'Authors',
      type: 'array',
      group: 'metadata',
      description: 'The newsroom staff who wrote the article.',
      of: [defineArrayMember({type: 'reference', to: [{type: 'person'}]})],
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
    select: {title: 'headline', lead: 'lead', agency: 'sourceAgency.name', media: 'mainImage'},
    prepare({title, lead, agency, media}) {
      return {title: title ?? 'Untitled article', subtitle: agency ?? lead, media}
    },
  },
})
