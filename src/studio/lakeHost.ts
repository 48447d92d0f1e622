/** The project id under which the local lake serves its one dataset. */
export const LOCAL_PROJECT_ID = 'local'

/** Where the local lake listens for the Studio (HTTP/2 over TLS) when nothing else says so. */
const DEFAULT_LAKE_API_HOST = 'https://localhost:7743'

/**
 * The apiHost the Studio should use, or undefined for Sanity's hosted API.
 *
 * An explicit SANITY_STUDIO_API_HOST always wins (a hosted project behind a custom API host
 * works too). Project "local" means the local lake: when the Studio itself is served from
 * `https://local.localhost:<port>` (as `npm run dev` does) the API is on that same origin,
 * so the editor accepts one certificate and no port is baked into the bundle.
 */
export function localLakeApiHost(
  projectId: string,
  explicit: string | undefined,
  location: {protocol: string; hostname: string; port: string} | undefined = browserLocation(),
): string | undefined {
  if (explicit) return explicit.replace(/\/+$/, '')
  if (projectId !== LOCAL_PROJECT_ID) return undefined
  if (location && location.hostname === `${projectId}.localhost`) {
    // The client puts the project id in front of the host again: https://local.localhost:<port>.
    return `${location.protocol}//localhost${location.port ? `:${location.port}` : ''}`
  }
  return DEFAULT_LAKE_API_HOST
}

function browserLocation(): {protocol: string; hostname: string; port: string} | undefined {
  return typeof window === 'undefined' || typeof window.location !== 'object' ? undefined : window.location
}
