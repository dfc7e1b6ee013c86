// The docs as tests: the README's Node section and examples/node/quickstart.mjs run
// against the installed package (test-node.sh copies them beside node_modules).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { repo } from './helpers.mjs'

const installDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

test('README Node section runs', () => {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8')
  const section = readme.split('## Node')[1].split('\n## ')[0]
  const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
  assert.ok(blocks.length > 0, "README.md has no ```js block under '## Node'")
  blocks.forEach((block, i) => {
    const file = path.join(installDir, `readme-${i}.mjs`)
    writeFileSync(file, block)
    // The README's paths are relative to the repository root; `leadgen` resolves from the file.
    execFileSync(process.execPath, [file], { cwd: repo, stdio: 'pipe', timeout: 60_000 })
  })
})

test('examples/node/quickstart.mjs runs', () => {
  const file = path.join(installDir, 'quickstart.mjs')
  writeFileSync(file, readFileSync(path.join(repo, 'examples', 'node', 'quickstart.mjs')))
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leadgen-quick-'))
  const out = execFileSync(process.execPath, [file, path.join(dir, 'quick.db')], { cwd: installDir, encoding: 'utf8', timeout: 60_000 })
  assert.match(out, /stored: 2 new, 0 updated/)
  assert.match(out, /contacts in CZ: 1/)
  assert.match(out, /rejected: INVALID_INPUT/)
})
