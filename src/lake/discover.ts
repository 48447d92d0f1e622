// How a script finds a lake that is already running, and the token to talk to it.
import fs from 'node:fs'
import path from 'node:path'
import {TOKEN_FILE} from './auth'

/** The header the lake's ping answers with, so another server on the port is not mistaken for it. */
export const LAKE_HEADER = 'x-sanity-local-lake'

export async function lakeAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v1/ping`, {signal: AbortSignal.timeout(1500)})
    return res.ok && res.headers.get(LAKE_HEADER) === '1'
  } catch {
    return false
  }
}

/** The token of a running lake: LAKE_TOKEN when given, else `$dir/token`. Clear error when neither. */
export function runningLakeToken(url: string, dir: string, explicit: string | undefined): string {
  if (explicit) return explicit
  const file = path.join(dir, TOKEN_FILE)
  try {
    const token = fs.readFileSync(file, 'utf8').trim()
    if (token) return token
  } catch {
    // Fall through to the error below, which says what to set.
  }
  throw new Error(`a local lake answers on ${url} but its token is unknown: set LAKE_DIR to that lake's directory (no ${file}) or LAKE_TOKEN`)
}
