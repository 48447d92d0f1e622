// `npm run <script>` → `node src/cli/launch.mjs <script> …`: runs the script's bundle
// (.build/cli, see build.mjs), rebuilding it first when one of its sources changed, so an edited
// checkout never runs stale code. The script sees its own source path as process.argv[1].
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {buildScripts, bundlePath, ENTRIES, isFresh, ROOT} from './build.mjs'

const [name, ...args] = process.argv.slice(2)
if (!name || !Object.hasOwn(ENTRIES, name)) {
  process.stderr.write(`launch: no script named ${JSON.stringify(name ?? '')} (scripts: ${Object.keys(ENTRIES).join(', ')})\n`)
  process.exit(2)
}
if (!isFresh(name)) {
  try {
    await buildScripts([name])
  } catch (error) {
    process.stderr.write(`${name}: could not compile ${ENTRIES[name]}: ${error.message}\n`)
    process.exit(1)
  }
}
process.argv = [process.argv[0], path.join(ROOT, ENTRIES[name]), ...args]
await import(pathToFileURL(bundlePath(name)).href)
