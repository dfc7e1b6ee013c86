// The Node quickstart with types: compiled by `tsc --noEmit --strict` against the
// generated index.d.ts of the installed package (scripts/test-node.sh).
import { open, newContact, newCompany, type Contact, type UpsertReport, type Tenant } from 'leadgen'

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
  void report.inserted
  void next
  await lg.close()
  return page.items
}

void main('sqlite::memory:')
