import {defineArrayMember, defineField} from 'sanity'

/** schema.org sameAs: the same entity elsewhere (Wikidata, an official site). */
export const sameAsField = defineField({
  name: 'sameAs',
  title: 'Same as',
  description: 'Links to this entity elsewhere, e.g. https://www.wikidata.org/wiki/Q…',
  type: 'array',
  of: [
    defineArrayMember({
      type: 'url',
      validation: (rule) => rule.uri({scheme: ['http', 'https']}).error('Use a full https:// address.'),
    }),
  ],
})
