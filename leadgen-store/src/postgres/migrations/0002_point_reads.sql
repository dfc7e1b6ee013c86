-- leadgen PostgreSQL schema, version 2: point reads in one round trip.
--
-- Each function sets the tenant for the current transaction, then reads. Called
-- as a statement of its own, it runs in that statement's implicit transaction, so
-- the setting ends with it: the same guarantee as BEGIN; set_config(…, true);
-- SELECT; COMMIT, in one round trip instead of three. SECURITY INVOKER (the
-- default): row-level security applies to the caller's role.

CREATE FUNCTION leadgen_contact_doc(p_tenant text, p_id uuid) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('leadgen.tenant', p_tenant, true);
    RETURN (SELECT doc::text FROM contacts WHERE tenant_id = p_tenant AND id = p_id);
END
$$;

CREATE FUNCTION leadgen_company_doc(p_tenant text, p_id uuid) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('leadgen.tenant', p_tenant, true);
    RETURN (SELECT doc::text FROM companies WHERE tenant_id = p_tenant AND id = p_id);
END
$$;
