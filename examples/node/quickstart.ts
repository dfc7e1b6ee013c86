// The Node quickstart with types: compiled by `tsc --noEmit --strict` against the
// generated index.d.ts of the installed package (scripts/test-node.sh).
import {
  open, newContact, newCompany, validateEmails,
  type Contact, type UpsertReport, type Tenant, type ImportReport, type RunSummary, type EmailVerification,
} from 'leadgen'

async function main(url: string): Promise<Contact[]> {
  const lg = await open(url)
  const acme: Tenant = lg.tenant('acme')
  const lumentis = newCompany('Lumentis s.r.o.', { domain: 'lumentis.cz', country: 'CZ' })
  await acme.upsertCompany(lumentis)
  const report: UpsertReport = await acme.upsertContacts([
    newContact({ firstName: 'Jana', email: 'jana.novakova@lumentis.cz', companyId: lumentis.id }),
  ])
  const page = await acme.listContacts({ country: 'CZ' }, { limit: 50 })
  const next: string | undefined = page.nextCursor
  try {
    await acme.getContact('not-an-id')
  } catch (e) {
    const code: unknown = (e as { code?: unknown }).code // 'INVALID_INPUT'
    void code
  }
  const imported: ImportReport = await acme.importFile('../shared/data/team_contacts.csv', { mapping: { Firma: 'company_name' } })
  const lines: number[] = imported.errors.map((e) => e.line)
  const seen: string[] = []
  const summary: RunSummary = await acme.run(['normalize_contact'], null, (event) => {
    seen.push(String(event.event))
  })
  const checked: EmailVerification[] = await validateEmails(['jana@lumentis.cz'])
  const rows: number = (await acme.exportContacts('clean.xlsx', { columns: ['email'] }, { country: 'CZ' })).rows
  void [report.inserted, next, lines, summary.status, checked[0].status, rows]
  await lg.close()
  return page.items
}

void main('sqlite::memory:')
