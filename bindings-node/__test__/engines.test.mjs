// Normalization and deduplication through the installed package.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { leadgen, openMemory, readCsv, sharedDir } from './helpers.mjs'

test('normalizers', () => {
  const n = leadgen.normalizeCompanyName('The Acme Widget Company, Inc.')
  assert.deepEqual([n.display, n.legalForm, n.key], ['The Acme Widget Company', 'Inc.', 'acme widget company'])
  assert.equal(leadgen.normalizeCompanyName('Havngruppen A.S.', 'NO').legalForm, 'AS')
  const t = leadgen.normalizeJobTitle('VP Sales')
  assert.deepEqual([t.normalized, t.seniority, t.department], ['Vice President of Sales', 'vp', 'sales'])
  const p = leadgen.parsePersonName('Ing. Jan van der Berg, Ph.D.')
  assert.deepEqual([p.prefix, p.first, p.last, p.suffix], ['Ing.', 'Jan', 'van der Berg', 'Ph.D.'])
  assert.equal(leadgen.normalizePhone('602 123 456', 'CZ').e164, '+420602123456')
  assert.equal(leadgen.normalizePhone('123', 'CZ').isValid, false)
  const prague = leadgen.parseLocation('Praha 5, Česko')
  assert.deepEqual([prague.city, prague.country], ['Prague', 'CZ'])
  assert.equal(leadgen.registrableDomain('https://www.acme.co.uk/about'), 'acme.co.uk')
  assert.equal(leadgen.countryCode('Czechia'), 'CZ')
  assert.equal(leadgen.canonicalLinkedinUrl('nonsense'), null)
})

test('batched normalization runs off the thread and matches single calls', async () => {
  const [header, ...rows] = readCsv(path.join(sharedDir, 'data', 'companies.csv'))
  const names = rows.filter((r) => r.length === header.length).map((r) => r[header.indexOf('Company')])
  assert.equal(names.length, 400)
  const pending = leadgen.normalizeCompanyNames(names)
  assert.ok(pending instanceof Promise)
  assert.deepEqual(await pending, names.map((n) => leadgen.normalizeCompanyName(n)))
})

test('normalizers reject wrong types', async () => {
  for (const bad of [null, 42, Buffer.from('x')]) {
    assert.throws(() => leadgen.normalizeCompanyName(bad), (e) => e instanceof Error && typeof e.code === 'string')
    await assert.rejects(async () => leadgen.normalizeCompanyNames([bad]), (e) => e instanceof Error && typeof e.code === 'string')
  }
})

test('dedup finds and merges duplicates', async () => {
  const acme = (await openMemory()).tenant('acme')
  const people = [
    leadgen.newContact({ firstName: 'Jana', lastName: 'Nováková', email: 'jana.novakova@lumentis.cz', companyName: 'Lumentis s.r.o.' }),
    leadgen.newContact({ firstName: 'Jana', lastName: 'Novakova', email: 'Jana.Novakova@lumentis.cz', companyName: 'Lumentis' }),
    leadgen.newContact({ firstName: 'Ola', lastName: 'Nordmann', email: 'ola@fjordtech.no', companyName: 'Fjordtech AS' }),
  ]
  await acme.upsertContacts(people)
  const dry = await acme.dedupContacts()
  assert.deepEqual([dry.records, dry.duplicateClusters, dry.applied], [3, 1, false])
  assert.deepEqual([...dry.clusters[0]].sort(), [people[0].id, people[1].id].sort())
  const done = await acme.dedupContacts({ apply: true })
  assert.deepEqual([done.clustersMerged, done.tombstoned], [1, 1])
  assert.equal(await acme.countContacts(), 2)
  assert.equal(await acme.countContacts({ includeMerged: true }), 3)
  await assert.rejects(acme.dedupContacts({ strategy: 'coin_flip' }), (e) => e.code === 'INVALID_INPUT')
})

test('batched calls give the single calls\' objects for awkward inputs', async () => {
  // The batched calls cross as packed strings (src/packed.rs, leadgen.js): escapes,
  // non-ASCII, empty inputs, repeated fields and the NUL-containing fallback.
  const names = ['', '  ', 'Acme', 'Agro Plzeň a. s.', '"Quoted" \\ Co\t\n Ltd', 'a\u0001b GmbH', 'Škoda  Auto a.s.', 'x\0y s.r.o.']
  for (const batch of [names, names.slice(0, -1), [], ['']]) {
    assert.deepStrictEqual(await leadgen.normalizeCompanyNames(batch), batch.map((n) => leadgen.normalizeCompanyName(n)))
    assert.deepStrictEqual(await leadgen.normalizeCompanyNames(batch, 'CZ'), batch.map((n) => leadgen.normalizeCompanyName(n, 'CZ')))
  }
  const addresses = ['', ' Jana@Lumentis.CZ ', 'j.a.n.a+tag@gmail.com', 'čok@žlu.cz', 'a"b\\c\n@x.cz', 'info@mailinator.com', 'nul\0@x.cz']
  for (const batch of [addresses, addresses.slice(0, -1), []]) {
    assert.deepStrictEqual(await leadgen.validateEmails(batch), batch.map((a) => leadgen.validateEmail(a)))
  }
})
