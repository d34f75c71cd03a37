//! `wasi:keyvalue` of platform components in the SQLite store: the table
//! `platform_state (scope, key, value)`, each write waits for its commit and its
//! sync (`store::commit`), so a refreshed session survives a crash like any other write.

use super::cached::Cached as _;
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::caps::keyvalue::{page, KeyValueBackend, LIST_PAGE};

fn failed(err: rusqlite::Error) -> anyhow::Error {
    anyhow::anyhow!("local store: {err}")
}

#[async_trait]
impl KeyValueBackend for SqliteStore {
    async fn get(&self, scope: &str, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        self.conn()
            .row(
                "SELECT value FROM platform_state WHERE scope = ?1 AND key = ?2",
                params![scope, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(failed)
    }

    async fn set(&self, scope: &str, key: &str, value: &[u8]) -> anyhow::Result<()> {
        let mark = self.commit_mark();
        self.conn()
            .run(
                "INSERT INTO platform_state (scope, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value",
                params![scope, key, value],
            )
            .map_err(failed)?;
        self.durable_since(mark).await.map_err(anyhow::Error::msg)
    }

    async fn delete(&self, scope: &str, key: &str) -> anyhow::Result<()> {
        let mark = self.commit_mark();
        self.conn()
            .run(
                "DELETE FROM platform_state WHERE scope = ?1 AND key = ?2",
                params![scope, key],
            )
            .map_err(failed)?;
        self.durable_since(mark).await.map_err(anyhow::Error::msg)
    }

    async fn list_keys(
        &self,
        scope: &str,
        after: Option<&str>,
    ) -> anyhow::Result<(Vec<String>, Option<String>)> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT key FROM platform_state WHERE scope = ?1 AND key > ?2 ORDER BY key LIMIT ?3",
            )
            .map_err(failed)?;
        let keys = statement
            .query_map(params![scope, after.unwrap_or(""), LIST_PAGE], |r| {
                r.get::<_, String>(0)
            })
            .map_err(failed)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed)?;
        Ok(page(keys))
    }

    async fn swap(
        &self,
        scope: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> anyhow::Result<bool> {
        let mark = self.commit_mark();
        let changed = match expected {
            None => self.conn().run(
                "INSERT INTO platform_state (scope, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (scope, key) DO NOTHING",
                params![scope, key, value],
            ),
            Some(old) => self.conn().run(
                "UPDATE platform_state SET value = ?3 WHERE scope = ?1 AND key = ?2 AND value = ?4",
                params![scope, key, value, old],
            ),
        }
        .map_err(failed)?;
        // A refreshed token is used at once: it must not be lost to a crash.
        self.durable_since(mark).await.map_err(anyhow::Error::msg)?;
        Ok(changed == 1)
    }
}
