// `--perspective`: checked by the lake's own rules (src/lake/perspective.ts), so the scripts accept
// what the lake accepts; a release name must also name a release the dataset has.
import type {ClientPerspective, SanityClient} from '@sanity/client'
import {parsePerspective} from '../lake/perspective'
import {UsageError} from './args'

const PLAIN = new Set(['raw', 'published', 'drafts'])

export interface PerspectiveOption {
  perspective: ClientPerspective
  /** The release names in it (to be checked against the dataset). */
  releases: string[]
}

export function perspectiveOption(value: string): PerspectiveOption {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  if (names.length === 0) throw new UsageError('--perspective needs raw, published, drafts or release names')
  try {
    // The API version only picks the default for an empty value, which is ruled out above.
    parsePerspective([value], '2025-02-19')
  } catch (error) {
    throw new UsageError(`--perspective ${value}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const releases = names.filter((name) => !PLAIN.has(name) && name !== 'previewDrafts')
  const single = names.length === 1 ? names[0]! : undefined
  const perspective: ClientPerspective =
    single === 'previewDrafts' ? 'drafts' : single && PLAIN.has(single) ? (single as 'raw' | 'published' | 'drafts') : names.map((n) => (n === 'previewDrafts' ? 'drafts' : n))
  return {perspective, releases}
}

/**
 * Release names must name a release of the dataset: a release document (`_.releases.<name>`) or
 * at least one version document (`versions.<name>.…`). A typo would otherwise quietly read the
 * published documents.
 */
export async function checkReleasesExist(client: SanityClient, releases: readonly string[]): Promise<void> {
  if (releases.length === 0) return
  const found = await client.fetch<boolean[]>(
    '$names[]{"found": defined(*[_id == "_.releases." + ^.name || _id in path("versions." + ^.name + ".**")][0]._id)}.found',
    {names: releases.map((name) => ({name}))},
    {perspective: 'raw'},
  )
  const missing = releases.filter((_, i) => !found[i])
  if (missing.length > 0) {
    throw new UsageError(
      `--perspective: no release named ${missing.map((name) => JSON.stringify(name)).join(', ')} in this dataset ` +
        `(no release document _.releases.<name> and no version document versions.<name>.*); ` +
        'perspectives are raw, published, drafts or the names of existing releases',
    )
  }
}
