// Shared by `npm run sanity` (src/cli/sanity.ts) and the preload it puts into the Sanity CLI.

/** What src/cli/sanity.ts passes to the preload; the token travels separately, as SANITY_AUTH_TOKEN. */
export const PRELOAD_ENV = {
  /** `127.0.0.1:<port>`: the lake's TLS listener. */
  target: 'SANITY_LAKE_TLS_TARGET',
  /** The lake's certificate (PEM file): the only one trusted for the mapped names. */
  caFile: 'SANITY_LAKE_CA_FILE',
  /** The project the lake serves; `<projectId>.api.sanity.io` is mapped besides api.sanity.io. */
  projectId: 'SANITY_LAKE_PROJECT_ID',
} as const

/** The host names the Sanity CLI asks that the lake answers instead: the global API and the project's. */
export function mappedHosts(projectId: string): string[] {
  return ['api.sanity.io', `${projectId}.api.sanity.io`]
}
