// What `lake serve` prints once it serves, and how whoever started it reads its addresses back
// (scripts' child lakes, the tests' lakes, the bench's lake): one format, written and read here.

export interface BannerFacts {
  projectId: string
  dataset: string
  url: string
  tlsUrl?: string
  tlsPort?: number
  dir: string
  /** Where the token is: "from LAKE_TOKEN" or "in <file>". */
  tokenWhere: string
}

export function serveBanner(facts: BannerFacts): string[] {
  return [
    `local lake: project "${facts.projectId}", dataset "${facts.dataset}"`,
    `  http   ${facts.url}`,
    ...(facts.tlsUrl ? [`  https  ${facts.tlsUrl}  (HTTP/2, self-signed; Studio host https://${facts.projectId}.localhost:${facts.tlsPort})`] : []),
    `  data   ${facts.dir}`,
    // Last: once it is there, the lake serves and its stop handlers are in place.
    `  token  ${facts.tokenWhere}  (send as Authorization: Bearer <token>)`,
  ]
}

/** The addresses in a starting lake's stdout once its whole banner is there; null until then. */
export function readBanner(out: string): {url: string; tlsUrl?: string} | null {
  if (!/\n {2}token .*\n/.test(out)) return null
  const url = /^ {2}http {3}(http:\/\/\S+)/m.exec(out)?.[1]
  if (!url) throw new Error(`the lake printed no http address:\n${out}`)
  const tlsUrl = /^ {2}https {2}(https:\/\/\S+)/m.exec(out)?.[1]
  return tlsUrl ? {url, tlsUrl} : {url}
}
