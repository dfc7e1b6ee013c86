//! The conformance suite: the same test functions, run against every backend —
//! SQLite in memory, SQLite in a file, and PostgreSQL (feature `postgres`; the
//! server at `LEADGEN_TEST_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`, in a fresh schema per test that is
//! dropped afterwards). An unreachable server fails the PostgreSQL tests with a
//! message naming the URL; they never skip.

#![cfg(any(feature = "sqlite", feature = "postgres"))]

mod entities;
mod fixtures;
mod isolation;
#[cfg(feature = "postgres")]
mod leases;
mod records;

#[cfg(feature = "postgres")]
mod pg;
#[cfg(feature = "postgres")]
mod postgres_only;
#[cfg(feature = "sqlite")]
mod sqlite_only;

/// One `#[tokio::test]` per suite function, in a module per backend.
macro_rules! conformance {
    ($backend:ident, $fixture:path, [$($module:ident :: $test:ident),* $(,)?]) => {
        mod $backend {
            $(
                #[tokio::test]
                async fn $test() {
                    let fx = $fixture().await;
                    crate::$module::$test(&fx).await;
                    fx.teardown().await;
                }
            )*
        }
    };
}

macro_rules! suite {
    ($backend:ident, $fixture:path) => {
        conformance!(
            $backend,
            $fixture,
            [
                entities::contact_crud,
                entities::company_crud,
                entities::deleting_a_company_unlinks_its_contacts,
                entities::contact_filters_and_counts,
                entities::company_filters_and_counts,
                entities::merged_tombstones_are_hidden,
                entities::cursor_paging,
                entities::large_batches_and_duplicates,
                isolation::tenants_never_see_each_other,
                isolation::failed_batches_write_nothing,
                isolation::bad_input_gets_typed_errors,
                isolation::unreadable_rows_are_storage_errors,
                isolation::closed_store_reports_connection,
                records::runs_round_trip,
                records::completions_replace_per_entity_and_stage,
                records::stage_runs_append,
                records::audit_log_newest_first,
                records::cache_round_trip,
            ]
        );
    };
}

#[cfg(feature = "sqlite")]
suite!(sqlite_memory, crate::fixtures::sqlite_memory);
#[cfg(feature = "sqlite")]
suite!(sqlite_file, crate::fixtures::sqlite_file);
#[cfg(feature = "postgres")]
suite!(postgres, crate::fixtures::postgres);
