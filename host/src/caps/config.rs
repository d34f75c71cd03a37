//! `wasi:config/store@0.2.0-draft-2024-09-27`: settings and secrets, the version Spin
//! implements. Each Store gets only the keys of its component (the scheduler's
//! settings, or one platform's credentials); values are never logged.

use crate::bindings::config_store::{Error, Host};
use crate::runtime::Ctx;

impl Host for Ctx {
    async fn get(&mut self, key: String) -> Result<Option<String>, Error> {
        Ok(self.config.get(&key).cloned())
    }

    async fn get_all(&mut self) -> Result<Vec<(String, String)>, Error> {
        let mut all: Vec<(String, String)> = self
            .config
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        all.sort();
        Ok(all)
    }
}
