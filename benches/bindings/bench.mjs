// The Node side of benches/bindings: the package as users load it (bindings-node/leadgen.js,
// which parses the batched calls' JSON) over the addon built in release by run.sh.
// Usage: node bench.mjs <addon.node> <dir>; prints TSV lines `node  op  mode  n  seconds`.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import path from 'node:path'

const [addonPath, dir] = process.argv.slice(2)
process.env.NAPI_RS_NATIVE_LIBRARY_PATH = path.resolve(addonPath)
const here = path.dirname(new URL(import.meta.url).pathname)
const leadgen = createRequire(import.meta.url)(path.join(here, '..', '..', 'bindings-node', 'leadgen.js'))
const lines = (f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l !== '')
const names = lines('names.txt')
const emails = lines('emails.txt')

async function bestOf (work) {
  let best = Infinity
  for (let i = 0; i < 3; i++) {
    const start = performance.now()
    await work()
    best = Math.min(best, performance.now() - start)
  }
  return best / 1000
}

const rows = [
  ['normalize_company_name', 'batched', names.length, await bestOf(() => leadgen.normalizeCompanyNames(names))],
  ['normalize_company_name', 'one_by_one', names.length, await bestOf(() => names.map((n) => leadgen.normalizeCompanyName(n)))],
  ['validate_email', 'batched', emails.length, await bestOf(() => leadgen.validateEmails(emails))],
  ['validate_email', 'one_by_one', emails.length, await bestOf(() => emails.map((e) => leadgen.validateEmail(e)))]
]
for (const [op, mode, n, secs] of rows) console.log(`node\t${op}\t${mode}\t${n}\t${secs.toFixed(6)}`)
