import {defineField} from 'sanity'
import {checkSlug, messages} from '../../src/content/rules'
import {slugify} from '../../src/content/slugify'

/** The slug's problem not already told by Sanity's own slug check, or true. */
export function slugProblem(value: {current?: string} | undefined): true | string {
  if (value === undefined || value === null) return messages.required('Slug')
  // An object with no `current`: Sanity's check says "Slug must have a value".
  return value.current ? checkSlug(value.current) : true
}

/** A slug made by our Arabic-preserving slugify, from the given source field. */
export function slugField(source: string) {
  return defineField({
    name: 'slug',
    title: 'Slug',
    type: 'slug',
    description: 'Part of the page address. Arabic words are kept as they are.',
    options: {source, slugify: (input: string) => slugify(input)},
    // Each problem told once. Sanity adds its own check (a value without `current`, a slug already in use)
    // to every rule of a slug field, and a required slug field also checks its nested `current`, so in
    // the Studio rule.required() would tell an empty slug twice: there, one custom rule that speaks only
    // of what Sanity's check does not. Elsewhere (schema extraction and typegen, which call this without
    // a context; `sanity documents validate`) the slug is plainly required.
    validation: (rule, context) =>
      context?.environment === 'studio' ? rule.custom(slugProblem) : rule.required().custom(slugProblem),
  })
}
