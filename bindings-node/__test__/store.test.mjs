import { test } from 'node:test'
import assert from 'node:assert/strict'
import { leadgen, openMemory, teamContacts } from './helpers.mjs'

test('contact round trip', async () => {
  const lg = await openMemory()
  const acme = lg.tenant('acme')
  const jana = leadgen.newContact({ firstName: 'Jana', lastName: 'Nováková', email: 'jana.novakova@lumentis.cz', attributes: { 'Lead source': 'webinar' } })
  jana.seniority = 'head'
  jana.provenance = { email: { source: 'import:team', observedAt: new Date('2024-05-01T00:00:00Z'), confidence: 0.9 } }
  assert.deepEqual(await acme.upsertContact(jana), { inserted: 1, updated: 0 })
  assert.deepEqual(await acme.upsertContact(jana), { inserted: 0, updated: 1 })
  const got = await acme.getContact(jana.id)
  assert.equal(got.email, 'jana.novakova@lumentis.cz')
  assert.equal(got.seniority, 'head')
  assert.ok(got.createdAt instanceof Date)
  assert.ok(Math.abs(got.provenance.email.confidence - 0.9) < 1e-6)
  assert.deepEqual(got.attributes, { 'Lead source': 'webinar' })
  assert.equal(await acme.deleteContact(jana.id), true)
  assert.equal(await acme.getContact(jana.id), null)
  assert.equal(await acme.deleteContact(jana.id), false)
  await lg.close()
})

test('tenants are isolated', async () => {
  const lg = await openMemory()
  const c = leadgen.newContact({ email: 'a@acme.test' })
  await lg.tenant('acme').upsertContact(c)
  assert.equal(await lg.tenant('globex').getContact(c.id), null)
  assert.equal(await lg.tenant('globex').countContacts(), 0)
  assert.equal(await lg.tenant('acme').countContacts(), 1)
  assert.equal(lg.tenant('acme').tenantId, 'acme')
})

test('companies: filters and paging', async () => {
  const acme = (await openMemory()).tenant('acme')
  const companies = Array.from({ length: 25 }, (_, i) => leadgen.newCompany(`Firma ${i} s.r.o.`, { domain: `firma${i}.cz`, country: i % 2 ? 'CZ' : 'NO' }))
  assert.equal((await acme.upsertCompanies(companies)).inserted, 25)
  assert.equal(await acme.countCompanies({ country: 'CZ' }), 12)
  const seen = []
  let cursor
  do {
    const page = await acme.listCompanies(null, { limit: 10, cursor })
    seen.push(...page.items.map((c) => c.id))
    cursor = page.nextCursor
  } while (cursor)
  assert.deepEqual(seen.sort(), companies.map((c) => c.id).sort())
  assert.equal((await acme.allCompanies({ country: 'NO' })).length, 13)
  assert.equal((await acme.getCompany(companies[3].id)).domain, 'firma3.cz')
})

test('a real file: team_contacts.csv through the store', async () => {
  const acme = (await openMemory()).tenant('acme')
  const contacts = teamContacts()
  assert.equal(contacts.length, 313)
  assert.equal((await acme.upsertContacts(contacts)).inserted, 313)
  assert.equal(await acme.countContacts(), 313)
  const withEmail = contacts.find((c) => c.email)
  const found = await acme.listContacts({ emails: [withEmail.email.toUpperCase()] })
  assert.deepEqual(found.items.map((c) => c.id), [withEmail.id])
  assert.equal((await acme.allContacts()).length, 313)
})

test('audit and runs', async () => {
  const acme = (await openMemory()).tenant('acme')
  const c = leadgen.newContact({ email: 'audit@y.test' })
  await acme.upsertContact(c)
  await acme.appendAudit({ actor: 'user:alice', action: 'export', entity: `contact:${c.id}`, details: { rows: 1, to: ['a.csv'] } })
  const [entry, ...rest] = await acme.listAudit({ action: 'export' })
  assert.equal(rest.length, 0)
  assert.equal(entry.entity, `contact:${c.id}`)
  assert.deepEqual(entry.details, { rows: 1, to: ['a.csv'] })
  assert.deepEqual(await acme.listRuns(), [])
  assert.equal(await acme.getRun('0190b6a0-0000-7000-8000-000000000000'), null)
})

test('PostgreSQL store when configured', { skip: !process.env.LEADGEN_TEST_DATABASE_URL }, async () => {
  const lg = await leadgen.open(process.env.LEADGEN_TEST_DATABASE_URL)
  assert.equal(lg.backend, 'postgres')
  const tenant = lg.tenant(`js-${Math.random().toString(36).slice(2, 12)}`)
  const c = leadgen.newContact({ email: 'pg@bindings.test' })
  assert.equal((await tenant.upsertContact(c)).inserted, 1)
  assert.equal((await tenant.getContact(c.id)).email, 'pg@bindings.test')
  assert.equal(await tenant.countContacts(), 1)
  await lg.close()
})

test('contacts without an email or a LinkedIn URL: the keyless filter', async () => {
  const acme = (await openMemory()).tenant('acme')
  const jana = leadgen.newContact({ firstName: 'Jana', email: 'jana@acme.test' })
  const emil = leadgen.newContact({ firstName: 'Emil', linkedinUrl: 'https://www.linkedin.com/in/emil' })
  const petr = leadgen.newContact({ firstName: 'Petr', companyName: 'Petrol Ltd' })
  await acme.upsertContacts([jana, emil, petr])
  assert.equal(await acme.countContacts({ keyless: true }), 1)
  assert.deepEqual((await acme.allContacts({ keyless: true })).map((c) => c.id), [petr.id])
  assert.equal((await acme.listContacts({ keyless: false })).items.length, 3)
})
