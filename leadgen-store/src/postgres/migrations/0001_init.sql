-- leadgen PostgreSQL schema, version 1.
-- Every record is stored whole as JSON in `doc`; the other columns are copies of
-- the fields used to filter, order and check tenants.
--
-- Row-level security: every tenant table admits only the rows of the tenant set
-- for the current transaction (`SELECT set_config('leadgen.tenant', $1, true)`,
-- which the store runs first in every transaction). FORCE applies the policy to
-- the tables' owner too; only superusers and BYPASSRLS roles are exempt.

CREATE TABLE companies (
    id           uuid        NOT NULL PRIMARY KEY,
    tenant_id    text        NOT NULL,
    name         text        NOT NULL,
    domain_key   text,
    country      text,
    search_text  text        NOT NULL,
    updated_at   timestamptz NOT NULL,
    merged_into  uuid,
    doc          jsonb       NOT NULL
);
CREATE INDEX companies_tenant_id ON companies (tenant_id, id);
CREATE INDEX companies_tenant_domain ON companies (tenant_id, domain_key)
    WHERE domain_key IS NOT NULL;

CREATE TABLE contacts (
    id            uuid        NOT NULL PRIMARY KEY,
    tenant_id     text        NOT NULL,
    company_id    uuid,
    email_key     text,
    linkedin_url  text,
    country       text,
    name          text,
    email_status  text        NOT NULL,
    search_text   text        NOT NULL,
    updated_at    timestamptz NOT NULL,
    merged_into   uuid,
    doc           jsonb       NOT NULL
);
CREATE INDEX contacts_tenant_id ON contacts (tenant_id, id);
CREATE INDEX contacts_tenant_email ON contacts (tenant_id, email_key)
    WHERE email_key IS NOT NULL;
CREATE INDEX contacts_tenant_linkedin ON contacts (tenant_id, linkedin_url)
    WHERE linkedin_url IS NOT NULL;
CREATE INDEX contacts_tenant_company ON contacts (tenant_id, company_id)
    WHERE company_id IS NOT NULL;

CREATE TABLE runs (
    id          uuid        NOT NULL PRIMARY KEY,
    tenant_id   text        NOT NULL,
    kind        text        NOT NULL,
    status      text        NOT NULL,
    created_at  timestamptz NOT NULL,
    doc         jsonb       NOT NULL
);
CREATE INDEX runs_tenant_created ON runs (tenant_id, created_at, id);

CREATE TABLE completions (
    tenant_id    text        NOT NULL,
    entity_kind  text        NOT NULL,
    entity_id    uuid        NOT NULL,
    stage        text        NOT NULL,
    status       text        NOT NULL,
    run_id       uuid,
    finished_at  timestamptz NOT NULL,
    doc          jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, entity_kind, entity_id, stage)
);

-- `seq` keeps append order for records that started at the same time.
CREATE TABLE stage_runs (
    seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           uuid        NOT NULL UNIQUE,
    tenant_id    text        NOT NULL,
    run_id       uuid        NOT NULL,
    entity_kind  text        NOT NULL,
    entity_id    uuid        NOT NULL,
    stage        text        NOT NULL,
    status       text        NOT NULL,
    started_at   timestamptz NOT NULL,
    doc          jsonb       NOT NULL
);
CREATE INDEX stage_runs_tenant_run ON stage_runs (tenant_id, run_id, started_at, seq);

CREATE TABLE audit_log (
    id           uuid        NOT NULL PRIMARY KEY,
    tenant_id    text        NOT NULL,
    at           timestamptz NOT NULL,
    actor        text        NOT NULL,
    action       text        NOT NULL,
    entity_kind  text,
    entity_id    uuid,
    doc          jsonb       NOT NULL
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at, id);
CREATE INDEX audit_log_tenant_entity ON audit_log (tenant_id, entity_id, at)
    WHERE entity_id IS NOT NULL;

CREATE TABLE cache_entries (
    tenant_id  text        NOT NULL,
    namespace  text        NOT NULL,
    key        text        NOT NULL,
    stored_at  timestamptz NOT NULL,
    doc        jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, namespace, key)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['companies', 'contacts', 'runs', 'completions', 'stage_runs',
                             'audit_log', 'cache_entries']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING (tenant_id = current_setting(''leadgen.tenant'', true)) '
            'WITH CHECK (tenant_id = current_setting(''leadgen.tenant'', true))',
            t);
    END LOOP;
END
$$;
