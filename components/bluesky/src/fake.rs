//! A fake of the capabilities for the tests: settings, a clock, nonces, an in-memory
//! key-value store (which can be made to fail), scripted HTTP answers, and every request
//! recorded.

use std::collections::{HashMap, VecDeque};

use sps_platform::{Capabilities, HttpRequest, HttpResponse, SendPhase, TransportError};

/// The fake; every field is open to the test.
pub struct Fake {
    pub settings: HashMap<String, String>,
    pub now: u64,
    pub nonces: u32,
    pub kv: HashMap<String, Vec<u8>>,
    /// When set to (prefix, error), every key-value call on a key that starts with the
    /// prefix fails with the error.
    pub kv_error: Option<(String, String)>,
    /// After the request of this number (1 for the first) is sent, the key is set to the
    /// value: another delivery writing meanwhile.
    pub kv_after_send: HashMap<usize, (String, Vec<u8>)>,
    /// Written (key, value) right after a successful swap of the key it is filed under:
    /// another delivery's write that lands just then.
    pub kv_after_swap: HashMap<String, (String, Vec<u8>)>,
    pub answers: VecDeque<Result<HttpResponse, TransportError>>,
    pub sent: Vec<HttpRequest>,
    /// The key of every key-value write that took effect, in order.
    pub kv_writes: Vec<String>,
}

/// 2026-12-06T06:30:00Z.
pub const NOW: u64 = 1_796_538_600;

impl Fake {
    pub fn new(settings: &[(&str, &str)]) -> Fake {
        Fake {
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            now: NOW,
            nonces: 0,
            kv: HashMap::new(),
            kv_error: None,
            kv_after_send: HashMap::new(),
            kv_after_swap: HashMap::new(),
            answers: VecDeque::new(),
            sent: Vec::new(),
            kv_writes: Vec::new(),
        }
    }

    /// Answers the next request with `status`, `headers` and `body`.
    pub fn answer_with(&mut self, status: u16, headers: &[(&str, &str)], body: &str) {
        self.answers.push_back(Ok(HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }));
    }

    /// Answers the next request with `status` and `body`.
    pub fn answer(&mut self, status: u16, body: &str) {
        self.answer_with(status, &[], body);
    }

    /// Fails the next exchange in `phase`.
    pub fn fail(&mut self, phase: SendPhase, detail: &str) {
        self.answers.push_back(Err(TransportError {
            phase,
            detail: detail.to_string(),
        }));
    }

    /// The stored value of `key` as text.
    pub fn kv_text(&self, key: &str) -> Option<String> {
        self.kv
            .get(key)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// (method, URL) of every request sent.
    pub fn calls(&self) -> Vec<(String, String)> {
        self.sent
            .iter()
            .map(|r| (r.method.clone(), r.url.clone()))
            .collect()
    }

    /// Makes every key-value call on keys starting with `prefix` fail.
    pub fn break_kv(&mut self, prefix: &str) {
        self.kv_error = Some((prefix.to_string(), "key-value store: disk gone".to_string()));
    }

    fn kv_check(&self, key: &str) -> Result<(), String> {
        match &self.kv_error {
            Some((prefix, e)) if key.starts_with(prefix.as_str()) => Err(e.clone()),
            _ => Ok(()),
        }
    }
}

impl Capabilities for Fake {
    fn setting(&mut self, key: &str) -> Result<Option<String>, String> {
        Ok(self.settings.get(key).cloned())
    }

    fn now_unix_seconds(&mut self) -> u64 {
        self.now
    }

    fn nonce(&mut self) -> String {
        self.nonces += 1;
        format!("nonce{}", self.nonces)
    }

    fn send(&mut self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.push(request.clone());
        if let Some((key, value)) = self.kv_after_send.remove(&self.sent.len()) {
            self.kv.insert(key, value);
        }
        self.answers
            .pop_front()
            .unwrap_or_else(|| panic!("unexpected request {} {}", request.method, request.url))
    }

    fn kv_get(&mut self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.kv_check(key)?;
        Ok(self.kv.get(key).cloned())
    }

    fn kv_set(&mut self, key: &str, value: &[u8]) -> Result<(), String> {
        self.kv_check(key)?;
        self.kv.insert(key.to_string(), value.to_vec());
        self.kv_writes.push(key.to_string());
        Ok(())
    }

    fn kv_swap(
        &mut self,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> Result<bool, String> {
        self.kv_check(key)?;
        if self.kv.get(key).map(Vec::as_slice) != expected {
            return Ok(false);
        }
        self.kv.insert(key.to_string(), value.to_vec());
        self.kv_writes.push(key.to_string());
        if let Some((other, value)) = self.kv_after_swap.remove(key) {
            self.kv.insert(other, value);
        }
        Ok(true)
    }
}
