//! Checkpoints after bulk writes, off the writer's path.
//!
//! In WAL mode a commit appends its pages to the write-ahead log, and the commit that
//! takes the log past 1,000 pages also copies the log back into the database file (a
//! checkpoint) before it returns. After a bulk upsert (100k contacts: a 110 MB log)
//! that copy takes about as long as the commit itself, and the caller waits for it
//! although its rows are already committed, durable and visible to every reader.
//!
//! A bulk write therefore commits with the automatic checkpoint off, and the same
//! connection then runs the checkpoint on its own worker thread while the caller goes
//! on. The checkpoint is `PASSIVE`: it never blocks a reader or a writer, and a
//! commit's own automatic checkpoint that finds this one running skips its turn
//! rather than wait. The connection is retired afterwards, so its setting is never
//! handed to another caller.
//!
//! Nothing is lost if the process ends first: the log stays the truth until a
//! checkpoint completes, and SQLite checkpoints when the last connection closes.

use std::future::Future;
use std::task::Poll;

use sqlx::Sqlite;
use sqlx::SqliteConnection;
use sqlx::pool::PoolConnection;

use super::db;
use crate::error::StoreResult;

/// Rows at least in one upsert whose commit leaves the checkpoint to the background.
pub(super) const DEFERRED_CHECKPOINT_MIN_ROWS: usize = 10_000;

/// Turns the automatic checkpoint off for `conn`'s next commits; call before the
/// commit of a bulk write, then hand the connection to [`checkpoint_in_background`].
pub(super) async fn defer_checkpoint(conn: &mut SqliteConnection) -> StoreResult<()> {
    sqlx::query("PRAGMA wal_autocheckpoint = 0")
        .execute(conn)
        .await
        .map_err(db("defer the checkpoint"))?;
    Ok(())
}

/// Checkpoints the log on `conn`, in the background, then retires the connection.
///
/// The checkpoint is handed to the connection's worker thread before this returns,
/// so it starts before the caller's next write can commit.
pub(super) async fn checkpoint_in_background(mut conn: PoolConnection<Sqlite>) {
    // Retired, not returned to the pool, whatever happens below: its automatic
    // checkpoint is off.
    conn.close_on_drop();
    let mut work = Box::pin(async move {
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut *conn)
            .await
        {
            // The next commits' automatic checkpoints, or the last close, do it.
            tracing::debug!(error = %e, "background checkpoint failed");
        }
    });
    // The first poll sends the statement to the worker thread.
    let first = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx))).await;
    if first.is_pending() {
        tokio::spawn(work);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteStore;
    use sqlx::Connection;

    fn file_len(path: &std::path::Path) -> u64 {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }

    /// A bulk commit with the checkpoint deferred leaves its pages in the log, not in
    /// the database file; the background checkpoint then copies them, and the rows
    /// stay readable throughout.
    #[tokio::test]
    async fn a_deferred_checkpoint_runs_after_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bulk.db");
        let store = SqliteStore::open(&path).await.unwrap();
        let before = file_len(&path);
        let mut conn = store.pool.acquire().await.unwrap();
        defer_checkpoint(&mut conn).await.unwrap();
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("CREATE TABLE bulk (v TEXT)")
            .execute(&mut *tx)
            .await
            .unwrap();
        // About 2,500 pages of 8 KiB: well past the 1,000-page automatic checkpoint.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
             INSERT INTO bulk SELECT printf('%.1000c', 'x') FROM n",
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let wal = path.with_extension("db-wal");
        assert!(file_len(&wal) > 16 << 20, "the commit wrote the log");
        assert_eq!(file_len(&path), before, "the commit did not checkpoint");

        checkpoint_in_background(conn).await;
        // Another connection reads the rows, from the log or the file.
        let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM bulk")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(count, 20_000);
        // Closing waits for the checkpoint's connection.
        store.pool.close().await;
        assert!(file_len(&path) > 16 << 20, "the checkpoint filled the file");
    }
}
