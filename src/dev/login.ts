// The log-in link `npm run dev` prints. It carries a code made for this run, never the lake
// token: the code only works on the dev origin while `npm run dev` runs, and the page it opens
// hands the token to the Studio in the response body, over TLS, on loopback.
import {randomBytes} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Http2ServerRequest, Http2ServerResponse} from 'node:http2'
import {tokenMatches} from '../lake/auth'

const LOGIN_PATH = /^\/__lake-login\/([A-Za-z0-9_-]+)\/?$/

export interface LoginLink {
  /** Path of the link on the dev origin, e.g. /__lake-login/<code>. */
  path: string
  /** Answers the request when it is for a log-in link; false when it is not. */
  handle(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): boolean
}

export function createLoginLink(token: string, projectId: string): LoginLink {
  const code = randomBytes(24).toString('base64url')
  // The Studio's token login reads its token from this localStorage key.
  const storageKey = `__studio_auth_token_${projectId}`
  return {
    path: `/__lake-login/${code}`,
    handle(req, res) {
      const given = LOGIN_PATH.exec(new URL(req.url ?? '/', 'https://x').pathname)?.[1]
      if (given === undefined) return false
      const headers = {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
      }
      if (!tokenMatches(given, code)) {
        ;(res as ServerResponse).writeHead(404, headers)
        res.end(page('This log-in link is not valid', '<p>Open the log-in link that <code>npm run dev</code> printed in its terminal. Each run of <code>npm run dev</code> makes a new one.</p>'))
        return true
      }
      // JSON in a script: escape < so that no value can close the script element.
      const value = JSON.stringify(JSON.stringify({token})).replace(/</g, '\\u003c')
      ;(res as ServerResponse).writeHead(200, headers)
      res.end(
        page(
          'Logging in to the newsroom Studio',
          `<script>localStorage.setItem(${JSON.stringify(storageKey)}, ${value}); location.replace('/')</script>` +
            '<noscript><p>The Studio needs JavaScript.</p></noscript>',
        ),
      )
      return true
    },
  }
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en" dir="ltr"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>\n`
}
