import {defineField} from 'sanity'
import {checkSlug, messages} from '../../src/content/rules'
import {slugify} from '../../src/content/slugify'

/** A slug made by our Arabic-preserving slugify, from the given source field. */
export function slugField(source: string) {
  return defineField({
    name: 'slug',
    title: 'Slug',
    type: 'slug',
    description: 'Part of the page address. Arabic words are kept as they are.',
    options: {source, slugify: (input: string) => slugify(input)},
    // Each problem told once: an empty slug is rule.required()'s to report, not checkSlug()'s as well.
    validation: (rule) => [
      rule.required().error(messages.required('Slug')),
      rule.custom((value: {current?: string} | undefined) => (value?.current ? checkSlug(value.current) : true)),
    ],
  })
}
