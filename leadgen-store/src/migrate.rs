//! Schema migrations compiled into the binary, and the bookkeeping both backends
//! share: a `leadgen_migrations` table of applied versions with a checksum each.
//!
//! A migration never changes once released: a changed checksum, or a database
//! migrated by a newer leadgen, is refused with a `Migration` error rather than
//! silently used.

use crate::error::StoreError;

/// One migration: a version, a name and the SQL that applies it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// FNV-1a (64 bit) of the SQL text, as hex: enough to notice an edited
    /// migration, and stable across Rust versions (unlike `DefaultHasher`).
    pub fn checksum(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.sql.as_bytes() {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("{hash:016x}")
    }
}

/// An applied migration as recorded in the database.
#[derive(Debug)]
pub(crate) struct Applied {
    pub version: i64,
    pub checksum: String,
}

/// Which of `known` still have to run, given what `applied` says; refuses a
/// database that was changed by a different set of migrations.
pub(crate) fn pending<'a>(
    backend: &'static str,
    known: &'a [Migration],
    applied: &[Applied],
) -> Result<Vec<&'a Migration>, StoreError> {
    for done in applied {
        match known.iter().find(|m| m.version == done.version) {
            None => {
                return Err(StoreError::Migration {
                    backend,
                    version: done.version,
                    name: "unknown".into(),
                    reason: "the database was migrated by a newer leadgen; upgrade leadgen \
                             to use it"
                        .into(),
                    source: None,
                });
            }
            Some(m) if m.checksum() != done.checksum => {
                return Err(StoreError::Migration {
                    backend,
                    version: m.version,
                    name: m.name.into(),
                    reason: format!(
                        "applied with checksum {}, but this leadgen has {}",
                        done.checksum,
                        m.checksum()
                    ),
                    source: None,
                });
            }
            Some(_) => {}
        }
    }
    Ok(known
        .iter()
        .filter(|m| applied.iter().all(|a| a.version != m.version))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: Migration = Migration {
        version: 1,
        name: "init",
        sql: "CREATE TABLE t (x INT);",
    };
    const TWO: Migration = Migration {
        version: 2,
        name: "more",
        sql: "CREATE TABLE u (x INT);",
    };

    #[test]
    fn pending_skips_applied_and_refuses_changes() {
        let applied = [Applied {
            version: 1,
            checksum: ONE.checksum(),
        }];
        let todo = pending("sqlite", &[ONE, TWO], &applied).unwrap();
        assert_eq!(todo.len(), 1);
        assert_eq!(todo[0].version, 2);

        let edited = [Applied {
            version: 1,
            checksum: "0".into(),
        }];
        assert!(pending("sqlite", &[ONE, TWO], &edited).is_err());

        let newer = [Applied {
            version: 3,
            checksum: "0".into(),
        }];
        assert!(pending("sqlite", &[ONE, TWO], &newer).is_err());
    }
}
