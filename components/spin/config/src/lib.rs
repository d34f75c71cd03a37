//! Spin glue component (world `sps:spin/config-filter`): what one nested component sees
//! of Spin's variables and key-value store, for the platform and account of the call in
//! progress. Spin makes every variable and the whole store visible to all of a Spin
//! component; this keeps the X credentials from the scheduler, one platform's state from
//! another's and one account's from another's, as the wasmtime host does with one Store
//! per call. One instance serves one nested component (the scheduler, or one platform
//! component), so a platform costs two component instances (this filter and its link),
//! within Spin's pooling allocator's 32 linear memories per app.
//!
//! - `sps:spin/account` (exported): the platform link calls `set(platform, account)`
//!   before each call into its platform component ([`set_context`]); `default` and no
//!   platform until then.
//! - `wasi:config/store` (exported): only the keys named by the `scope` import (fixed
//!   when the app is composed) for the current account. A scope entry ([`entry`]) is
//!   `[ACCOUNT:]KEY[=VARIABLE]`:
//!   - `key`: the account `default`'s key, read from the Spin variable of the same name;
//!   - `key=variable`: read from another variable, so two platform components that both
//!     read `access_token` see `mastodon_access_token` and `linkedin_access_token`;
//!   - `account:key=variable`: the key of another account (the variable is required, so
//!     an account never reads the `default` account's credentials by accident; a setting
//!     all accounts share is listed for each, naming the same variable).
//! - `wasi:keyvalue/store` and `atomics` @0.2.0-draft2 (exported): Spin's store with every
//!   key prefixed `<platform>/<account>/` ([`prefix`]); `list-keys` lists the scope's keys
//!   only, without the prefix; opening a bucket before the link set a platform is
//!   `access-denied`.
//!
//! Values are passed through, never logged.

use std::sync::Mutex;

#[cfg(target_arch = "wasm32")]
mod bindings;

/// The (platform, account) of the call in progress, as the link set it.
static CONTEXT: Mutex<Option<(String, String)>> = Mutex::new(None);

fn context() -> std::sync::MutexGuard<'static, Option<(String, String)>> {
    CONTEXT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sets the platform and account of the calls that follow (`sps:spin/account.set`).
pub fn set_context(platform: &str, account: &str) {
    *context() = Some((platform.to_string(), account.to_string()));
}

/// The account of the call in progress, or `default` before the link set one.
pub fn account() -> String {
    context()
        .as_ref()
        .map(|(_, account)| account.clone())
        .unwrap_or_else(|| sps_contract::input::DEFAULT_ACCOUNT.to_string())
}

/// The key-value prefix of the call in progress ([`prefix`]), `None` before the link set a
/// platform.
pub fn context_prefix() -> Option<String> {
    let context = context();
    let (platform, account) = context.as_ref()?;
    prefix(platform, account)
}

/// The key prefix of a platform and an account: `<platform>/<account>/`
/// (`mastodon/default/`); `None` when either is empty.
pub fn prefix(platform: &str, account: &str) -> Option<String> {
    (!platform.is_empty() && !account.is_empty()).then(|| format!("{platform}/{account}/"))
}

/// `key` in the scope of `prefix`.
pub fn scoped_key(prefix: &str, key: &str) -> String {
    format!("{prefix}{key}")
}

/// The keys of `keys` in the scope of `prefix`, without it, in order.
pub fn unscoped_keys(prefix: &str, keys: Vec<String>) -> Vec<String> {
    keys.into_iter()
        .filter_map(|k| k.strip_prefix(prefix).map(str::to_string))
        .collect()
}

/// One scope entry, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The account whose key it is (`default` without an `account:` prefix).
    pub account: &'a str,
    /// The `wasi:config/store` key the component reads.
    pub key: &'a str,
    /// The Spin variable it is read from.
    pub variable: &'a str,
}

/// A scope entry `[ACCOUNT:]KEY[=VARIABLE]` ([module docs](self)); `None` for an entry of
/// another account without `=VARIABLE`.
pub fn entry(entry: &str) -> Option<Entry<'_>> {
    let (account, rest) = match entry.split_once(':') {
        Some((account, rest)) => (account, Some(rest)),
        None => (sps_contract::input::DEFAULT_ACCOUNT, None),
    };
    match rest {
        None => {
            let (key, variable) = entry.split_once('=').unwrap_or((entry, entry));
            Some(Entry {
                account,
                key,
                variable,
            })
        }
        Some(rest) => {
            let (key, variable) = rest.split_once('=')?;
            Some(Entry {
                account,
                key,
                variable,
            })
        }
    }
}

/// The Spin variable behind `key` of `account` when the scope `names` has it (exact,
/// case-sensitive), else `None`.
pub fn variable_for<'a>(names: &'a [String], account: &str, key: &str) -> Option<&'a str> {
    names
        .iter()
        .filter_map(|n| entry(n))
        .find(|e| e.account == account && e.key == key)
        .map(|e| e.variable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_named_keys_are_in_scope() {
        let names = vec!["x_api_key".to_string()];
        assert_eq!(
            variable_for(&names, "default", "x_api_key"),
            Some("x_api_key")
        );
        assert_eq!(variable_for(&names, "default", "X_API_KEY"), None);
        assert_eq!(
            variable_for(&names, "default", "flexible_window_minutes"),
            None
        );
    }

    #[test]
    fn a_key_may_read_a_variable_of_another_name() {
        let names = vec![
            "base_url=mastodon_base_url".to_string(),
            "access_token=mastodon_access_token".to_string(),
        ];
        assert_eq!(
            variable_for(&names, "default", "access_token"),
            Some("mastodon_access_token")
        );
        assert_eq!(
            variable_for(&names, "default", "base_url"),
            Some("mastodon_base_url")
        );
        assert_eq!(
            variable_for(&names, "default", "mastodon_access_token"),
            None
        );
    }

    #[test]
    fn each_account_sees_its_own_entries_only() {
        let names = vec![
            "base_url=mastodon_base_url".to_string(),
            "access_token=mastodon_access_token".to_string(),
            "brand:base_url=mastodon_base_url".to_string(),
            "brand:access_token=mastodon_brand_access_token".to_string(),
            "work:access_token".to_string(),
        ];
        assert_eq!(
            variable_for(&names, "brand", "access_token"),
            Some("mastodon_brand_access_token")
        );
        assert_eq!(
            variable_for(&names, "brand", "base_url"),
            Some("mastodon_base_url")
        );
        // Never the default account's credentials, and no entry without a variable.
        assert_eq!(variable_for(&names, "work", "access_token"), None);
        assert_eq!(variable_for(&names, "other", "base_url"), None);
        assert_eq!(entry("work:access_token"), None);
        assert_eq!(
            entry("brand:access_token=v"),
            Some(Entry {
                account: "brand",
                key: "access_token",
                variable: "v"
            })
        );
    }

    #[test]
    fn keys_are_prefixed_with_the_scope_and_listed_without_it() {
        let prefix = prefix("mastodon", "default").unwrap();
        assert_eq!(
            scoped_key(&prefix, "instance-limits"),
            "mastodon/default/instance-limits"
        );
        let keys = vec![
            "bluesky/default/session".to_string(),
            "mastodon/default/instance-limits".to_string(),
            "mastodon/default2/x".to_string(),
        ];
        assert_eq!(unscoped_keys(&prefix, keys), ["instance-limits"]);
        assert_eq!(
            super::prefix("mastodon", "brand").as_deref(),
            Some("mastodon/brand/")
        );
        assert_eq!(super::prefix("", "default"), None);
        assert_eq!(super::prefix("mastodon", ""), None);
    }

    #[test]
    fn the_context_is_default_until_the_link_sets_it() {
        assert_eq!((account(), context_prefix()), ("default".to_string(), None));
        set_context("twitter", "brand");
        assert_eq!(
            (account(), context_prefix()),
            ("brand".to_string(), Some("twitter/brand/".to_string()))
        );
    }
}
