-- leadgen SQLite schema, version 4: the contacts' lookup indexes lead with the key.
--
-- In (tenant_id, email_key) every entry of a one-tenant database starts with the
-- same text, so each comparison made while building or searching the index first
-- finds two equal tenants and then takes SQLite's slower comparison of the whole
-- record. In (email_key, tenant_id) nearly every comparison is settled by the first
-- column: building the three indexes after a bulk load of 78k contacts takes about
-- a quarter less time. Lookups give both columns (`tenant_id = ? AND email_key IN
-- (...)`), which either order serves, and the tenant stays in the index.
DROP INDEX contacts_tenant_email;
DROP INDEX contacts_tenant_linkedin;
DROP INDEX contacts_tenant_company;
CREATE INDEX contacts_email ON contacts (email_key, tenant_id)
    WHERE email_key IS NOT NULL;
CREATE INDEX contacts_linkedin ON contacts (linkedin_url, tenant_id)
    WHERE linkedin_url IS NOT NULL;
CREATE INDEX contacts_company ON contacts (company_id, tenant_id)
    WHERE company_id IS NOT NULL;
