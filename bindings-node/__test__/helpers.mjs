// Shared by the node:test suite. The suite imports the INSTALLED package: scripts/test-node.sh
// packs it with `npm pack`, installs the tarball into a fresh folder, copies these tests
// there and runs them, so `import 'leadgen'` resolves to that folder's node_modules.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const require = createRequire(import.meta.url)
export const leadgen = require('leadgen')

const here = path.dirname(fileURLToPath(import.meta.url))
/** The repository root (the script tells it; in place it is two levels up). */
export const repo = process.env.LEADGEN_REPO_DIR ?? path.resolve(here, '..', '..')
export const sharedDir = process.env.LEADGEN_SHARED_DIR ?? path.resolve(repo, '..', 'shared')

/** Rows of a comma-separated file (RFC 4180 quoting), header first. */
export function readCsv(file) {
  const text = readFileSync(file, 'utf8')
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { row.push(field); field = '' } else if (ch === '\n') { row.push(field); rows.push(row); row = []; field = '' } else if (ch !== '\r') field += ch
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row) }
  return rows
}

/** The well-formed rows of team_contacts.csv as new contacts, mapped by hand (313 valid rows). */
export function teamContacts() {
  const [header, ...rows] = readCsv(path.join(sharedDir, 'data', 'team_contacts.csv'))
  const columns = { 'Jméno': 'firstName', 'Příjmení': 'lastName', 'E-mail': 'email', 'Firma': 'companyName', 'Job': 'title', 'Tel.': 'phone', 'LinkedIn': 'linkedinUrl', 'Město': 'location' }
  const out = []
  for (const row of rows) {
    if (row.length !== header.length || !row.some((v) => v.trim())) continue
    const fields = { source: 'team_contacts.csv' }
    header.forEach((h, i) => { if (columns[h] && row[i].trim()) fields[columns[h]] = row[i].trim() })
    out.push(leadgen.newContact(fields))
  }
  return out
}

/** A fresh SQLite store in memory. */
export async function openMemory() {
  return leadgen.open('sqlite::memory:')
}
