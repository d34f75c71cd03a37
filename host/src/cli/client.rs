//! The HTTP client of the command line: JSON requests to a running `sps serve` (its local
//! API, README "Local API"), with the API token as a bearer token when one is given.

use std::io::BufRead;

use serde_json::Value;

use super::Failure;

/// A client of one `sps serve`.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
}

/// An answer: its status code, its JSON body (`null` when the body is not JSON), and the
/// URL of the next page its `Link: <...>; rel="next"` names (RFC 8288), if any.
pub struct Answer {
    /// The HTTP status code.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
    /// The path and query of the next page.
    pub next: Option<String>,
}

impl Client {
    /// A client of the server at `base` (`http://127.0.0.1:8080`; a trailing `/` is
    /// dropped), sending `token` as `Authorization: Bearer` when given.
    ///
    /// # Errors
    /// [`Failure::Usage`] when `base` is not an `http://` or `https://` URL.
    pub fn new(base: &str, token: Option<String>) -> Result<Self, Failure> {
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Failure::Usage(format!(
                "--server (or SPS_SERVER) must be an http:// or https:// URL such as \
                 http://127.0.0.1:8080, not {base:?}"
            )));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Ok(Self {
            agent,
            base: base.trim_end_matches('/').to_string(),
            token,
        })
    }

    /// `request` with the API token as `Authorization: Bearer`, when there is one.
    fn authorized<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.token {
            Some(token) => request.header("authorization", format!("Bearer {token}")),
            None => request,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn unreachable(&self, e: &ureq::Error) -> Failure {
        Failure::Unreachable(format!(
            "cannot reach sps serve at {}: {e} (is it running? --server or SPS_SERVER names another)",
            self.base
        ))
    }

    /// `GET path` (path and query).
    ///
    /// # Errors
    /// [`Failure::Unreachable`] when the server cannot be reached or its answer cannot be
    /// read.
    pub fn get(&self, path: &str) -> Result<Answer, Failure> {
        let request = self.authorized(self.agent.get(self.url(path)));
        let response = request.call().map_err(|e| self.unreachable(&e))?;
        self.answer(response)
    }

    /// `GET path`, a listing that comes in pages, and every next page its `Link` names:
    /// calls `each` with the items of each page, in order.
    ///
    /// # Errors
    /// As [`Client::get`]; [`Failure::from_answer`] for a page that is not a JSON array
    /// with 200; or what `each` returns.
    pub fn pages(
        &self,
        path: &str,
        mut each: impl FnMut(&[Value]) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let mut path = Some(path.to_string());
        while let Some(next) = path.take() {
            let answer = self.get(&next)?;
            let Some(page) = answer.body.as_array().filter(|_| answer.status == 200) else {
                return Err(Failure::from_answer(&answer));
            };
            each(page)?;
            path = answer.next;
        }
        Ok(())
    }

    /// `POST path` with the JSON `body`.
    ///
    /// # Errors
    /// As [`Client::get`].
    pub fn post(&self, path: &str, body: &Value) -> Result<Answer, Failure> {
        self.post_text(path, &body.to_string())
    }

    /// `POST path` with `body`, JSON text sent exactly as it is (a key that appears twice
    /// reaches the server, which refuses it, instead of being merged here).
    ///
    /// # Errors
    /// As [`Client::get`].
    pub fn post_text(&self, path: &str, body: &str) -> Result<Answer, Failure> {
        let request = self.authorized(
            self.agent
                .post(self.url(path))
                .header("content-type", "application/json"),
        );
        let response = request.send(body).map_err(|e| self.unreachable(&e))?;
        self.answer(response)
    }

    fn answer(&self, mut response: http::Response<ureq::Body>) -> Result<Answer, Failure> {
        let status = response.status().as_u16();
        let next = response
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(next_link);
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| self.unreachable(&e))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer { status, body, next })
    }

    /// `GET path` as a stream of server-sent events: calls `each` with the `data` of every
    /// message (an event's envelope) until the stream ends or `each` returns false.
    ///
    /// # Errors
    /// As [`Client::get`], and [`Failure::Server`] when the server refuses the stream.
    pub fn follow(&self, path: &str, mut each: impl FnMut(Value) -> bool) -> Result<(), Failure> {
        let request = self.authorized(self.agent.get(self.url(path)));
        let mut response = request.call().map_err(|e| self.unreachable(&e))?;
        if response.status().as_u16() != 200 {
            let answer = self.answer(response)?;
            return Err(Failure::from_answer(&answer));
        }
        let reader = std::io::BufReader::new(response.body_mut().as_reader());
        let mut data = String::new();
        for line in reader.lines() {
            let line = line.map_err(|e| {
                Failure::Unreachable(format!("the event stream from {} broke: {e}", self.base))
            })?;
            if let Some(rest) = line.strip_prefix("data:") {
                data.push_str(rest.trim_start());
            } else if line.is_empty() && !data.is_empty() {
                let envelope = serde_json::from_str(&data).unwrap_or(Value::Null);
                data.clear();
                if !each(envelope) {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

/// The target of a `rel="next"` link in a `Link` header value.
fn next_link(value: &str) -> Option<String> {
    value.split(',').find_map(|link| {
        let (target, params) = link.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"")
            .then(|| {
                target
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::next_link;

    #[test]
    fn the_next_link_is_read_from_a_link_header() {
        assert_eq!(
            next_link("</events?after=1000&limit=1000>; rel=\"next\""),
            Some("/events?after=1000&limit=1000".to_string())
        );
        assert_eq!(
            next_link("</a>; rel=\"prev\", </b>; rel=\"next\""),
            Some("/b".to_string())
        );
        assert_eq!(next_link("</a>; rel=\"prev\""), None);
    }
}
