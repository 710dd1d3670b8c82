// Writes dist/source-hash.txt: the hash of the workbench's sources (src/, public/, index.html,
// the build configuration and package-lock.json). web/embed_test.go recomputes it and fails when
// the committed dist/ was built from other sources. Keep the algorithm identical to SourceHash
// in web/embed.go: for each file, sorted by its slash-separated path relative to web/, the line
// "<sha256 hex of content>  <path>\n"; the result is the sha256 hex of all lines.
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const single = ['index.html', 'package.json', 'package-lock.json', 'vite.config.ts', 'tsconfig.json']
const trees = ['src', 'public']

function walk(rel, out) {
  const abs = join(root, rel)
  if (!existsSync(abs)) return
  for (const name of readdirSync(abs)) {
    const r = rel + '/' + name
    if (statSync(join(root, r)).isDirectory()) walk(r, out)
    else out.push(r)
  }
}

export function sourceHash() {
  const files = single.filter((f) => existsSync(join(root, f)))
  for (const t of trees) walk(t, files)
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const all = createHash('sha256')
  for (const f of files) {
    const h = createHash('sha256').update(readFileSync(join(root, f))).digest('hex')
    all.update(`${h}  ${f}\n`)
  }
  return all.digest('hex')
}

writeFileSync(join(root, 'dist', 'source-hash.txt'), sourceHash() + '\n')
