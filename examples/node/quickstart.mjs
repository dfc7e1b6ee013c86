// leadgen from Node: open a store, add contacts and companies, query them.
// Run: node examples/node/quickstart.mjs [store-url]
import leadgen from 'leadgen'

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
await lg.close()
