// leadgen from Node: open a store, add contacts and companies, query them.
// Run: node examples/node/quickstart.mjs [store-url]
import leadgen from 'leadgen'
import os from 'node:os'

const lg = await leadgen.open(process.argv[2] ?? 'sqlite::memory:') // or leads.db, postgres://…
const acme = lg.tenant('acme') // every call is scoped to one tenant

const lumentis = leadgen.newCompany('Lumentis s.r.o.', { domain: 'lumentis.cz', country: 'CZ' })
await acme.upsertCompany(lumentis)
const report = await acme.upsertContacts([
  leadgen.newContact({ firstName: 'Jana', lastName: 'Nováková', email: 'jana.novakova@lumentis.cz', title: 'Head of Sales', companyId: lumentis.id, country: 'CZ' }),
  leadgen.newContact({ firstName: 'Ola', lastName: 'Nordmann', email: 'ola@fjordtech.no', country: 'NO' }),
])
console.log(`stored: ${report.inserted} new, ${report.updated} updated`)
console.log('contacts in CZ:', await acme.countContacts({ country: 'CZ' }))

try {
  await acme.getContact('not-an-id')
} catch (e) {
  console.log('rejected:', e.code) // INVALID_INPUT
}
console.table((await acme.allContacts()).map(({ firstName, lastName, email, country }) => ({ firstName, lastName, email, country })))

// Import a file, normalize and validate its contacts (with progress), export them.
const shared = process.env.LEADGEN_SHARED_DIR ?? new URL('../../../shared', import.meta.url).pathname
const imported = await acme.importFile(`${shared}/data/team_contacts.csv`)
console.log(`imported: ${imported.imported} new, ${imported.errors.length} row errors`)
for (const e of imported.errors.slice(0, 3)) console.log(`  line ${e.line}: ${e.kind} (${e.reason})`)
let pairs = 0
const summary = await acme.run(['normalize_contact', 'email_validation'], null, (event) => {
  if (event.event === 'pair_finished') pairs++
})
console.log(`run ${summary.status}: ${summary.pairsFinished} pairs`)
const out = await acme.exportContacts(`${os.tmpdir()}/contacts.csv`, null, { emailStatus: 'valid' })
console.log('exported:', out.rows, 'valid contacts')
await lg.close()
