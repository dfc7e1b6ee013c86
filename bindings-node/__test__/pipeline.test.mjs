// Import, export, email validation, plans and runs with progress, the main job — on the
// shared data files, through the installed package, as a Node user would call them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { leadgen, openMemory, readCsv, sharedDir } from './helpers.mjs'

const data = (f) => path.join(sharedDir, 'data', f)
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'leadgen-node-'))
const coded = (code) => (e) => {
  assert.ok(e instanceof Error, `not an Error: ${e}`)
  assert.equal(e.code, code, `${e.code}: ${e.message}`)
  return true
}

test('importFile reports counts, row errors and progress', async () => {
  const acme = (await openMemory()).tenant('acme')
  const phases = []
  const report = await acme.importFile(data('team_contacts.csv'), null, (p) => phases.push(p.phase))
  assert.equal(report.read, 316)
  assert.ok(report.runId)
  assert.equal(report.format.format, 'csv')
  const errors = report.errors.map((e) => [e.line, e.kind])
  for (const expected of [[36, 'too_many_fields'], [281, 'too_few_fields'], [368, 'unterminated_quote']]) {
    assert.ok(errors.some(([l, k]) => l === expected[0] && k === expected[1]), `${expected} not in ${errors}`)
  }
  assert.equal(report.imported + report.updated + report.duplicates, report.read - report.errors.length)
  assert.equal(await acme.countContacts(), report.imported)
  assert.equal(report.contactIds.length, report.imported)
  assert.equal(report.mapping.find((c) => c.header === 'E-mail').field, 'email')
  // Progress events arrive through the event loop; give the last ones a turn.
  await new Promise((resolve) => setImmediate(resolve))
  for (const phase of ['parsed', 'matched', 'written']) assert.ok(phases.includes(phase), `${phase} not in ${phases}`)
  const again = await acme.importFile(data('team_contacts.csv'))
  assert.equal(again.imported, 0)
})

test('previewFile writes nothing; presets and mapping overrides', async () => {
  const acme = (await openMemory()).tenant('acme')
  const preview = await acme.previewFile(data('team_contacts_cp1250.csv'))
  assert.equal(preview.runId, undefined)
  assert.equal(preview.format.encoding.toLowerCase(), 'windows-1250')
  assert.equal(await acme.countContacts(), 0)
  const linkedin = await acme.importFile(data('linkedin_connections.csv'), { preset: 'linkedin_connections' })
  assert.equal(linkedin.preset, 'linkedin_connections')
  assert.equal(linkedin.read, 885)
  const mapped = await acme.previewFile(data('team_contacts.csv'), { mapping: { Firma: 'ignore', Job: 'title' } })
  const fields = Object.fromEntries(mapped.mapping.map((c) => [c.header, c.field]))
  assert.equal(fields.Firma, undefined)
  assert.equal(fields.Job, 'title')
  await assert.rejects(acme.importFile(data('team_contacts.csv'), { preset: 'nope' }), coded('INVALID_INPUT'))
  await assert.rejects(acme.importFile(data('team_contacts.csv'), { preset: 'hubspot' }), coded('INVALID_INPUT'))
  await assert.rejects(acme.importFile(path.join(tmp(), 'missing.csv')), coded('IO'))
})

test('exportContacts and exportCompanies: csv, xlsx, jsonl, columns, filters', async () => {
  const acme = (await openMemory()).tenant('acme')
  const report = await acme.importFile(data('team_contacts.csv'))
  const dir = tmp()
  const csv = await acme.exportContacts(path.join(dir, 'team.csv'), { columns: ['email', 'first_name', 'company_name'] })
  assert.equal(csv.rows, report.imported)
  const rows = readCsv(csv.path)
  assert.deepEqual(rows[0], ['email', 'first_name', 'company_name'])
  assert.equal(rows.length, report.imported + 1)
  const some = await acme.exportContacts(path.join(dir, 'some.jsonl'), { ids: report.contactIds.slice(0, 5) })
  const lines = readFileSync(some.path, 'utf8').trim().split('\n')
  assert.equal(lines.length, 5)
  assert.equal(JSON.parse(lines[0]).id, report.contactIds[0])
  const cz = await acme.countContacts({ country: 'CZ' })
  const xlsx = await acme.exportContacts(path.join(dir, 'cz.xlsx'), null, { country: 'CZ' })
  assert.equal(xlsx.rows, cz)
  assert.equal(readFileSync(xlsx.path).subarray(0, 2).toString(), 'PK')
  const companies = await acme.exportCompanies(path.join(dir, 'companies.out'), { format: 'jsonl' })
  assert.equal(companies.rows, await acme.countCompanies())
  await assert.rejects(acme.exportContacts(path.join(dir, 'x.pdf')), coded('INVALID_INPUT'))
  await assert.rejects(acme.exportContacts(path.join(dir, 'x.csv'), { columns: ['nope'] }), coded('INVALID_INPUT'))
})

test('validateEmail and validateEmails agree', async () => {
  const addresses = ['jana.novakova@lumentis.cz', 'Info@Mailinator.com', 'jana@@acme.cz', 'petr@gmail.com']
  const batch = await leadgen.validateEmails(addresses)
  assert.deepEqual(batch.map((v) => v.status), ['valid', 'risky', 'invalid', 'valid'])
  assert.ok(batch[1].disposable && batch[1].roleAccount)
  assert.equal(batch[1].normalized, 'Info@mailinator.com')
  assert.deepEqual(addresses.map((a) => leadgen.validateEmail(a)), batch)
})

test('plan and run with a progress callback', async () => {
  const acme = (await openMemory()).tenant('acme')
  await acme.importFile(data('hubspot_contacts_export.csv'))
  const n = await acme.countContacts()
  assert.deepEqual(leadgen.builtinStages().sort(), ['email_validation', 'normalize_company', 'normalize_contact'])
  const stages = ['normalize_contact', 'email_validation']
  const plan = await acme.plan(stages)
  assert.equal(plan.contacts, n)
  assert.deepEqual(plan.stages.map((s) => s.stage), stages)
  const events = []
  const summary = await acme.run(stages, null, (e) => events.push(e))
  assert.equal(summary.status, 'completed', summary.text)
  assert.equal(summary.pairsFinished, 2 * n)
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(events[0].event, 'run_started')
  assert.equal(events.at(-1).event, 'run_finished')
  assert.equal(events.filter((e) => e.event === 'pair_finished').length, 2 * n)
  assert.ok(events.every((e) => e.runId === summary.runId))
  assert.equal((await acme.plan(stages)).pairsToRun, 0)
  await assert.rejects(acme.run(['no_such_stage']), (e) => ['CONFIG', 'INVALID_INPUT'].includes(e.code))
  await assert.rejects(acme.plan([]), coded('INVALID_INPUT'))
  await assert.rejects(acme.plan(['normalize_contact'], ['person:1']), coded('INVALID_INPUT'))
})

test('mainJob: import, normalize, dedup, validate, export in one call', async () => {
  const acme = (await openMemory()).tenant('acme')
  const output = path.join(tmp(), 'clean.csv')
  const job = await acme.mainJob(data('team_contacts.csv'), { output })
  assert.equal(job.importReport.read, 316)
  assert.equal(job.normalize.status, 'completed')
  assert.equal(job.validateEmails.status, 'completed')
  assert.equal(typeof job.clustersMerged, 'number')
  assert.equal(job.export.rows, job.contacts)
  assert.equal(readCsv(output).length, job.contacts + 1)
  const bare = await acme.mainJob(data('team_contacts.csv'), { normalize: false, dedup: false, validateEmails: false })
  assert.equal(bare.normalize, undefined)
  assert.equal(bare.export, undefined)
})

test('bad input to the new operations', async () => {
  const lg = await openMemory()
  const acme = lg.tenant('acme')
  for (const bad of [null, undefined, 42, {}, ['a.csv']]) {
    await assert.rejects(async () => acme.importFile(bad), TypeError)
    await assert.rejects(async () => acme.exportContacts(bad), TypeError)
    assert.throws(() => leadgen.validateEmail(bad), TypeError)
  }
  await assert.rejects(async () => acme.run('normalize_contact'), TypeError)
  await assert.rejects(async () => acme.run(['normalize_contact'], null, 'not a function'), TypeError)
  await assert.rejects(async () => leadgen.validateEmails('x@y.cz'), TypeError)
  await assert.rejects(async () => leadgen.validateEmails(['ok@y.cz', 5]), TypeError)
  const many = Array.from({ length: 300_000 }, (_, i) => `u${i}@bulk${i % 50}.cz`)
  assert.equal((await leadgen.validateEmails(many)).length, many.length)
  await lg.close()
  await assert.rejects(acme.importFile(data('team_contacts.csv')), coded('CONNECTION'))
  await assert.rejects(acme.run(['normalize_contact']), coded('CONNECTION'))
})
