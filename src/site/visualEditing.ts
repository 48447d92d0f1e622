// The click-to-edit overlay for the Studio's Presentation tool: @sanity/visual-editing's
// enableVisualEditing, bundled for the browser with esbuild when the site starts (nothing built is
// committed) and served from the site itself, as its Content-Security-Policy allows scripts only
// from 'self'. Preview pages load it; it draws overlays on the data-sanity elements and tells the
// Studio which field was clicked.
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * The overlay's entry. History: each page of the site is a full page load, so a page tells the
 * Studio where it is when it loads, and follows the Studio's navigation by loading the page asked
 * for (on this origin only). Refresh: draft changes already reach the page through /api/live
 * (assets.ts), so the Studio's mutation refreshes are declined; its refresh button reloads.
 */
const ENTRY = `
import {enableVisualEditing} from '@sanity/visual-editing'
const here = () => location.pathname + location.search + location.hash
enableVisualEditing({
  history: {
    subscribe(navigate) {
      navigate({type: 'replace', url: here()})
      return () => {}
    },
    update(update) {
      if (update.type === 'pop') return history.back()
      const next = new URL(update.url, location.href)
      if (next.origin !== location.origin || next.pathname + next.search + next.hash === here()) return
      if (update.type === 'replace') location.replace(next.href)
      else location.assign(next.href)
    },
  },
  refresh(payload) {
    if (payload.source !== 'manual') return false
    location.reload()
    return Promise.resolve()
  },
})
`

export interface VisualEditingBundle {
  /** The script, or an error saying why it could not be built. */
  script(): Promise<string>
}

/** Builds once, on first use (or at once with `eager`), and keeps the result for the life of the site. */
export function visualEditingBundle(options: {eager?: boolean; log?: (line: string) => void} = {}): VisualEditingBundle {
  let built: Promise<string> | undefined
  const script = () => {
    built ??= buildOverlay().catch((err: unknown) => {
      built = undefined
      const message = `could not bundle @sanity/visual-editing for the preview overlay: ${err instanceof Error ? err.message : String(err)} (run npm install)`
      options.log?.(`site: ${message}`)
      throw new Error(message)
    })
    return built
  }
  if (options.eager) script().catch(() => {})
  return {script}
}

async function buildOverlay(): Promise<string> {
  const result = await build({
    stdin: {contents: ENTRY, resolveDir: ROOT, sourcefile: 'visual-editing-overlay.js', loader: 'js'},
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    // Libraries read process.env.NODE_ENV to leave out development-only code.
    define: {'process.env.NODE_ENV': '"production"'},
    logLevel: 'silent',
  })
  const file = result.outputFiles[0]
  if (!file) throw new Error('esbuild wrote no output')
  return file.text
}
