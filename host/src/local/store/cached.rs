//! `execute` and `query_row` through the connection's prepared-statement cache
//! (rusqlite's `prepare_cached`), so the statements the store runs for every event are
//! parsed once per connection instead of once per use.

use rusqlite::{Connection, Params, Row};

/// How many prepared statements the store's connection keeps: more than the store has.
pub const CAPACITY: usize = 128;

/// The store's way of running a statement: [`Connection::execute`] and
/// [`Connection::query_row`], each through the prepared-statement cache.
pub trait Cached {
    /// Runs `sql` with `params`: the number of rows changed.
    ///
    /// # Errors
    /// As [`Connection::execute`].
    fn run<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;

    /// The first row of `sql` with `params`, through `f`.
    ///
    /// # Errors
    /// As [`Connection::query_row`] (`QueryReturnedNoRows` without a row).
    fn row<T, P: Params, F: FnOnce(&Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T>;
}

impl Cached for Connection {
    fn run<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn row<T, P: Params, F: FnOnce(&Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}
