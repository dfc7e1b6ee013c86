// Bad input gets TypeErrors or Errors with a stable `code`; never a crash or a hang.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import os from 'node:os'
import path from 'node:path'
import { leadgen, openMemory } from './helpers.mjs'

const coded = (code) => (e) => {
  assert.ok(e instanceof Error, `not an Error: ${e}`)
  assert.equal(e.code, code, `${e.code}: ${e.message}`)
  return true
}
// Arguments of the wrong type are TypeErrors (leadgen.js maps napi's conversion errors).
const typeLike = (e) => {
  assert.ok(e instanceof TypeError, `not a TypeError: ${e} (code ${e.code})`)
  return true
}

test('invalid values reject with INVALID_INPUT', async () => {
  const lg = await openMemory()
  for (const bad of ['', 'no spaces', 'x'.repeat(65), 'ä']) assert.throws(() => lg.tenant(bad), coded('INVALID_INPUT'))
  const acme = lg.tenant('acme')
  await assert.rejects(acme.getContact('not-a-uuid'), coded('INVALID_INPUT'))
  await assert.rejects(acme.upsertContact({ ...leadgen.newContact(), emailStatus: 'bogus' }), coded('INVALID_INPUT'))
  await assert.rejects(acme.upsertContact({ ...leadgen.newContact(), seniority: 'emperor' }), coded('INVALID_INPUT'))
  await assert.rejects(acme.upsertContact({ id: 'nope' }), coded('INVALID_INPUT'))
  await assert.rejects(acme.listContacts(null, { limit: -1 }), coded('INVALID_INPUT'))
  await assert.rejects(acme.listAudit({ entity: 'person:1' }), coded('INVALID_INPUT'))
  await assert.rejects(acme.upsertContact(leadgen.newContact({ email: 'x'.repeat(2_000_000) })), coded('INVALID_INPUT'))
})

test('wrong types are TypeErrors', async () => {
  const lg = await openMemory()
  const acme = lg.tenant('acme')
  for (const bad of [null, undefined, 42, Buffer.from('acme'), ['acme'], {}]) {
    assert.throws(() => lg.tenant(bad), typeLike)
    await assert.rejects(async () => acme.upsertContact(bad), typeLike)
    await assert.rejects(async () => acme.getContact(bad), typeLike)
    await assert.rejects(async () => leadgen.open(bad), typeLike)
  }
  await assert.rejects(async () => acme.upsertContacts('not a list'), typeLike)
  await assert.rejects(async () => acme.upsertContacts([leadgen.newContact(), { email: 'no id' }]), typeLike)
  assert.throws(() => leadgen.newContact({ email: 5 }), typeLike)
})

test('an unreachable store rejects with a coded error', async () => {
  await assert.rejects(leadgen.open(path.join(os.tmpdir(), 'no', 'such', 'dir', 'x.db')), coded('CONNECTION'))
  await assert.rejects(leadgen.open('postgres://nobody@127.0.0.1:1/nothing'), (e) => ['CONNECTION', 'CONFIG'].includes(e.code))
  await assert.rejects(leadgen.open('mysql://root@127.0.0.1/db'), coded('CONFIG'))
})

test('calls after an error still work; batches are all-or-nothing', async () => {
  const acme = (await openMemory()).tenant('acme')
  await assert.rejects(acme.upsertContacts([leadgen.newContact({ email: 'ok@x.test' }), { ...leadgen.newContact(), emailStatus: '?' }]), coded('INVALID_INPUT'))
  assert.equal(await acme.countContacts(), 0)
  await acme.upsertContact(leadgen.newContact({ email: 'ok@x.test' }))
  assert.equal(await acme.countContacts(), 1)
})

test('a closed store rejects with CONNECTION', async () => {
  const lg = await openMemory()
  const acme = lg.tenant('acme')
  await lg.close()
  await assert.rejects(acme.countContacts(), coded('CONNECTION'))
  await assert.rejects(acme.upsertContact(leadgen.newContact()), coded('CONNECTION'))
})

test('huge lists', async () => {
  const acme = (await openMemory()).tenant('acme')
  const contacts = Array.from({ length: 20_000 }, (_, i) => leadgen.newContact({ email: `u${i}@bulk.test` }))
  assert.equal((await acme.upsertContacts(contacts)).inserted, 20_000)
  const many = Array.from({ length: 100_000 }, (_, i) => `nobody${i}@bulk.test`).concat(['u7@bulk.test'])
  try {
    const page = await acme.listContacts({ emails: many })
    assert.deepEqual(page.items.map((c) => c.email), ['u7@bulk.test'])
  } catch (e) {
    assert.equal(typeof e.code, 'string') // a coded refusal is fine; a crash or hang is not
  }
})
