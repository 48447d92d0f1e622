// What start-up cost when the lake parsed every document: read the snapshot in 1 MB chunks and JSON.parse
// each document line (no checksums, no indexes, no lake code), in a bare Node process like the lake's. Prints ms.
import fs from 'node:fs'

const [file] = process.argv.slice(2)
const started = performance.now()
const fd = fs.openSync(file, 'r')
let buf = Buffer.allocUnsafe(1 << 20)
let filled = 0
let position = 0
const docs = []
for (;;) {
  if (filled === buf.length) {
    const bigger = Buffer.allocUnsafe(buf.length * 2)
    buf.copy(bigger, 0, 0, filled)
    buf = bigger
  }
  const read = fs.readSync(fd, buf, filled, buf.length - filled, position)
  if (read === 0) break
  position += read
  const scanFrom = filled
  filled += read
  let start = 0
  for (let nl = buf.indexOf(10, scanFrom); nl !== -1 && nl < filled; nl = buf.indexOf(10, nl + 1)) {
    // `<8 hex checksum> <JSON>`: the JSON starts after the space. A split document line (`[head]<TAB>{rest}`,
    // src/lake/deferred.ts) is parsed as its two parts: the floor is parsing every document whole.
    const tab = buf[start + 9] === 0x5b ? buf.indexOf(9, start + 9) : -1
    if (tab === -1 || tab > nl) docs.push(JSON.parse(buf.toString('utf8', start + 9, nl)))
    else docs.push([JSON.parse(buf.toString('utf8', start + 9, tab)), JSON.parse(buf.toString('utf8', tab + 1, nl))])
    start = nl + 1
  }
  buf.copy(buf, 0, start, filled)
  filled -= start
}
fs.closeSync(fd)
process.stdout.write(JSON.stringify({ms: performance.now() - started, lines: docs.length}))
