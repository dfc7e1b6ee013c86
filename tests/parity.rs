//! Parity, enforced: every operation listed in `parity.json` exists in the Rust facade
//! under the listed path (the Python and Node suites check their names from the same
//! file), and every manifest of the project carries one version number.

use std::collections::BTreeSet;
use std::path::Path;

/// The Rust paths of the public operations. Each entry names the item itself, so this
/// file compiles only while every listed operation exists in the facade.
macro_rules! operations {
    ($($path:path),* $(,)?) => {
        vec![$({
            let _exists = $path;
            stringify!($path).replace(' ', "")
        }),*]
    };
}

fn rust_operations() -> Vec<String> {
    // `Company::new` takes `impl Into<String>`, so it cannot be named bare: a call checks it.
    let _ = leadgen::prelude::Company::new("Acme");
    let mut ops = vec!["leadgen::prelude::Company::new".to_string()];
    ops.extend(operations![
        leadgen::Leadgen::open,
        leadgen::Leadgen::tenant,
        leadgen::Leadgen::backend,
        leadgen::Leadgen::close,
        leadgen::prelude::Contact::new,
        leadgen::prelude::TenantStore::upsert_contact,
        leadgen::prelude::TenantStore::upsert_contacts,
        leadgen::prelude::TenantStore::get_contact,
        leadgen::prelude::TenantStore::delete_contact,
        leadgen::prelude::TenantStore::list_contacts,
        leadgen::prelude::TenantStore::count_contacts,
        leadgen::prelude::TenantStore::all_contacts,
        leadgen::prelude::TenantStore::upsert_company,
        leadgen::prelude::TenantStore::upsert_companies,
        leadgen::prelude::TenantStore::get_company,
        leadgen::prelude::TenantStore::delete_company,
        leadgen::prelude::TenantStore::list_companies,
        leadgen::prelude::TenantStore::count_companies,
        leadgen::prelude::TenantStore::all_companies,
        leadgen::prelude::TenantStore::list_runs,
        leadgen::prelude::TenantStore::get_run,
        leadgen::prelude::TenantStore::list_audit,
        leadgen::prelude::TenantStore::append_audit,
        leadgen::core::dedup::bulk::dedup_stored_contacts,
        leadgen::core::dedup::bulk::dedup_stored_companies,
        leadgen::core::normalize::normalize_company_name_in,
        leadgen::core::normalize::normalize_job_title,
        leadgen::core::normalize::parse_person_name,
        leadgen::core::normalize::normalize_phone,
        leadgen::core::normalize::parse_location_in,
        leadgen::core::normalize::canonical_linkedin_url,
        leadgen::core::normalize::registrable_domain,
        leadgen::core::normalize::country_code,
        leadgen::core::normalize::tidy_email,
        leadgen::stages::import::import_file,
        leadgen::stages::import::preview_file,
        leadgen::stages::export::export_contacts,
        leadgen::stages::export::export_companies,
        leadgen::pipeline::validate_email,
        leadgen::pipeline::validate_emails,
        leadgen::pipeline::BUILTIN_STAGES,
        leadgen::pipeline::plan,
        leadgen::pipeline::run,
        leadgen::pipeline::main_job,
    ]);
    ops
}

fn repo_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_manifest_operation_exists_in_the_rust_facade() {
    let manifest: serde_json::Value = serde_json::from_str(&repo_file("parity.json")).unwrap();
    let operations = manifest["operations"]
        .as_array()
        .expect("operations is a list");
    let listed: BTreeSet<String> = operations
        .iter()
        .map(|op| {
            op["rust"]
                .as_str()
                .expect("every operation has a rust name")
                .to_string()
        })
        .collect();
    let provided: BTreeSet<String> = rust_operations().into_iter().collect();
    let missing: Vec<_> = listed.difference(&provided).collect();
    let unlisted: Vec<_> = provided.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "in parity.json, not checked here: {missing:?}"
    );
    assert!(
        unlisted.is_empty(),
        "checked here, missing from parity.json: {unlisted:?}"
    );
    for op in operations {
        for language in ["op", "rust", "python", "node"] {
            assert!(
                op[language].as_str().is_some_and(|s| !s.is_empty()),
                "{op}: no {language} name"
            );
        }
    }
}

#[test]
fn one_version_number_for_every_manifest() {
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(leadgen::VERSION, version);
    let package: serde_json::Value =
        serde_json::from_str(&repo_file("bindings-node/package.json")).unwrap();
    assert_eq!(package["version"], version, "bindings-node/package.json");
    // The Python version is the Cargo one: maturin reads it from the binding crate,
    // which inherits the workspace version.
    let pyproject = repo_file("bindings-python/pyproject.toml");
    assert!(
        pyproject.contains(r#"dynamic = ["version"]"#),
        "pyproject.toml must take its version from Cargo"
    );
    for crate_manifest in ["bindings-python/Cargo.toml", "bindings-node/Cargo.toml"] {
        assert!(
            repo_file(crate_manifest).contains("version.workspace = true"),
            "{crate_manifest}"
        );
    }
}
