// The scripts as plain JavaScript: esbuild bundles each entry (packages stay external) into
// .build/cli/<name>.mjs, so `npm run <script>` starts Node, not a TypeScript loader. Plain JS, so
// the launcher (launch.mjs) can use it before anything is compiled.
//
//   node src/cli/build.mjs             build every script (npm's postinstall)
//   node src/cli/build.mjs query seed  build these
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const OUT_DIR = path.join(ROOT, '.build', 'cli')
const THIS_FILE = fileURLToPath(import.meta.url)

/** npm script name → its entry point. */
export const ENTRIES = {
  lake: 'src/lake/cli.ts',
  sanity: 'src/cli/sanity.ts',
  seed: 'src/cli/seed.ts',
  query: 'src/cli/query.ts',
  import: 'src/cli/import.ts',
  'eval:import': 'src/cli/evalImport.ts',
  render: 'src/cli/render.ts',
  site: 'src/cli/site.ts',
  validate: 'src/cli/validate.ts',
  dev: 'src/cli/dev.ts',
}

export function bundlePath(name) {
  return path.join(OUT_DIR, `${name.replace(/[^a-zA-Z0-9_-]/g, '-')}.mjs`)
}

function manifestPath(name) {
  return `${bundlePath(name)}.inputs.json`
}

/**
 * Whether the bundle was built from the sources as they are now: every input it was built from
 * (listed beside it) is no newer than the bundle, which carries the time its build started.
 */
export function isFresh(name) {
  try {
    const built = fs.statSync(bundlePath(name)).mtimeMs
    const manifest = JSON.parse(fs.readFileSync(manifestPath(name), 'utf8'))
    if (manifest.root !== ROOT) return false
    return manifest.inputs.every((input) => fs.statSync(path.join(ROOT, input)).mtimeMs <= built)
  } catch {
    return false // no bundle yet, or an input is gone
  }
}

/**
 * `import.meta.url` becomes the source file's own URL, so code that finds files beside it
 * (seed/article.ts, schema.json, the repository root) finds them from the bundle too.
 */
const sourceUrls = {
  name: 'source-urls',
  setup(build) {
    build.onLoad({filter: /\.[cm]?[jt]sx?$/}, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined
      const text = await fs.promises.readFile(args.path, 'utf8')
      const ext = path.extname(args.path).slice(1).replace(/^[cm]/, '')
      return {contents: text.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)), loader: ext}
    })
  },
}

/**
 * The repository's own modules are marked free of side effects: a module a script imports only a
 * constant from (src/lake/server.ts) then brings none of its other imports (groq-js, sharp, the
 * whole lake) into the script's start-up. None of them is imported for its side effects alone.
 */
const ownModulesPure = {
  name: 'own-modules-pure',
  setup(build) {
    build.onResolve({filter: /^\.\.?\//}, async (args) => {
      if (args.pluginData === 'own-modules-pure') return undefined
      const resolved = await build.resolve(args.path, {kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'own-modules-pure'})
      if (resolved.errors.length > 0 || resolved.external || resolved.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined
      return {path: resolved.path, sideEffects: false}
    })
  },
}

/** Builds the named scripts; each bundle is written beside a temporary name and renamed, so a concurrent run never reads half a file. */
export async function buildScripts(names = Object.keys(ENTRIES)) {
  const {build} = await import('esbuild')
  fs.mkdirSync(OUT_DIR, {recursive: true})
  await Promise.all(
    names.map(async (name) => {
      const entry = ENTRIES[name]
      if (!entry) throw new Error(`no script named ${name} (scripts: ${Object.keys(ENTRIES).join(', ')})`)
      const started = new Date()
      const result = await build({
        entryPoints: [path.join(ROOT, entry)],
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write: false,
        metafile: true,
        logLevel: 'silent',
        absWorkingDir: ROOT,
        plugins: [ownModulesPure, sourceUrls],
      })
      const inputs = [...Object.keys(result.metafile.inputs), path.relative(ROOT, THIS_FILE), 'tsconfig.json']
      const file = bundlePath(name)
      const tmp = `${file}.tmp-${process.pid}`
      fs.writeFileSync(tmp, result.outputFiles[0].text)
      // The build's start time: a source saved while it ran is newer, so the next run rebuilds.
      fs.utimesSync(tmp, started, started)
      fs.writeFileSync(`${manifestPath(name)}.tmp-${process.pid}`, JSON.stringify({root: ROOT, entry, inputs}))
      fs.renameSync(`${manifestPath(name)}.tmp-${process.pid}`, manifestPath(name))
      fs.renameSync(tmp, file)
    }),
  )
}

if (process.argv[1] && path.resolve(process.argv[1]) === THIS_FILE) {
  const names = process.argv.slice(2)
  const started = Date.now()
  buildScripts(names.length ? names : undefined).then(
    () => process.stderr.write(`built ${names.length || Object.keys(ENTRIES).length} scripts into ${path.relative(ROOT, OUT_DIR)}/ in ${Date.now() - started} ms\n`),
    (error) => {
      // As npm's postinstall this must not fail the install: the launcher builds again, and shows the error, on first use.
      process.stderr.write(`could not build the scripts (npm run will try again): ${error.message}\n`)
      process.exitCode = process.env.npm_lifecycle_event === 'postinstall' ? 0 : 1
    },
  )
}
