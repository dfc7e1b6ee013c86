import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { leadgen, repo, require } from './helpers.mjs'

test('the installed package is used, not the source tree', () => {
  const resolved = require.resolve('leadgen')
  assert.match(resolved, /node_modules[\\/]leadgen[\\/]leadgen\.js$/)
  assert.ok(!resolved.startsWith(path.join(repo, 'bindings-node') + path.sep), resolved)
})

test('one version number everywhere', () => {
  const pkg = JSON.parse(readFileSync(path.join(repo, 'bindings-node', 'package.json'), 'utf8'))
  const installed = JSON.parse(readFileSync(require.resolve('leadgen/package.json'), 'utf8'))
  assert.equal(leadgen.version(), pkg.version)
  assert.equal(installed.version, pkg.version)
})

test('every operation of parity.json exists in the Node package', () => {
  const manifest = JSON.parse(readFileSync(path.join(repo, 'parity.json'), 'utf8'))
  const missing = []
  for (const op of manifest.operations) {
    const [owner, name] = op.node.includes('.') ? op.node.split('.') : [null, op.node]
    let found
    if (owner === null) found = typeof leadgen[name] === 'function'
    else {
      const cls = leadgen[owner]
      found = typeof cls === 'function' && (name in cls || name in cls.prototype)
    }
    if (!found) missing.push(op.node)
  }
  assert.deepEqual(missing, [], `in parity.json but not in the Node package: ${missing}`)
})
