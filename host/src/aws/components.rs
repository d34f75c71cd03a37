//! Swappable components from an S3 prefix (`SPS_COMPONENTS_URI`), on Amazon S3
//! (S3 API reference: ListObjectsV2, GetObject).
//!
//! The components under the prefix (`sps_scheduler.wasm`, `sps_sender.wasm`,
//! `sps_<platform>.wasm`, directly under it) replace the packaged ones of the same
//! name; the others stay packaged. The prefix is checked at start and then at most once
//! per check interval; when its listing (keys and ETags) changed, the files are
//! downloaded into a temporary directory and loaded with the usual checks (each against
//! the world it must implement). A set that fails to load is logged and the components
//! in use (the packaged or the last good ones) stay; the same set is not tried again.
//! Components from S3 are `.wasm`: they are compiled on load (cached by digest under
//! the cache directory for the container's life).

use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::describe;
use crate::runtime::{loader, ComponentsSource, LoadReport, Runtime};

/// An S3 location `s3://bucket/prefix/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Prefix {
    /// The bucket name.
    pub bucket: String,
    /// The key prefix: empty, or ending in `/`.
    pub prefix: String,
}

impl std::str::FromStr for S3Prefix {
    type Err = anyhow::Error;

    /// `s3://bucket`, `s3://bucket/` or `s3://bucket/some/prefix[/]`.
    fn from_str(uri: &str) -> anyhow::Result<Self> {
        let bad = || anyhow::anyhow!("SPS_COMPONENTS_URI is {uri:?}; expected s3://bucket/prefix/");
        let rest = uri.strip_prefix("s3://").ok_or_else(bad)?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(bad());
        }
        let prefix = if prefix.is_empty() || prefix.ends_with('/') {
            prefix.to_string()
        } else {
            format!("{prefix}/")
        };
        Ok(Self {
            bucket: bucket.to_string(),
            prefix,
        })
    }
}

impl std::fmt::Display for S3Prefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

/// What one [`S3Components::refresh`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// The check interval has not passed since the last check.
    NotDue,
    /// The listing is the same as at the last check.
    Unchanged,
    /// No component is under the prefix: the packaged components stay.
    Empty,
    /// The components under the prefix were loaded and are in use.
    Loaded(LoadReport),
    /// The components under the prefix could not be listed, downloaded or loaded; the
    /// components in use stay. The message says why.
    Kept(String),
}

#[derive(Default)]
struct State {
    checked_at: Option<Instant>,
    /// `(key, ETag)` of the component objects at the last check, sorted.
    seen: Option<Vec<(String, String)>>,
}

/// The components of one S3 prefix, checked for changes.
pub struct S3Components {
    client: aws_sdk_s3::Client,
    location: S3Prefix,
    check_every: Duration,
    state: tokio::sync::Mutex<State>,
}

impl S3Components {
    /// Components under `location`, checked at most once per `check_every`.
    pub fn new(client: aws_sdk_s3::Client, location: S3Prefix, check_every: Duration) -> Self {
        Self {
            client,
            location,
            check_every,
            state: tokio::sync::Mutex::new(State::default()),
        }
    }

    /// Checks the prefix when due and, when its components changed, loads them into
    /// `runtime` ([`ComponentsSource::EmbeddedWith`]). Never fails: a problem leaves the
    /// components in use and is logged and returned as [`Refresh::Kept`].
    pub async fn refresh(&self, runtime: &Runtime) -> Refresh {
        let mut state = self.state.lock().await;
        if state
            .checked_at
            .is_some_and(|at| at.elapsed() < self.check_every)
        {
            return Refresh::NotDue;
        }
        state.checked_at = Some(Instant::now());
        let listing = match self.list().await {
            Ok(listing) => listing,
            Err(err) => return self.kept(format!("{err:#}")),
        };
        if state.seen.as_ref() == Some(&listing) {
            return Refresh::Unchanged;
        }
        let first_check = state.seen.is_none();
        state.seen = Some(listing.clone());
        if listing.is_empty() {
            if !first_check {
                tracing::warn!(location = %self.location, "no components under the prefix any more; keeping the ones in use");
            }
            return Refresh::Empty;
        }
        match self.download_and_load(runtime, &listing).await {
            Ok(report) => {
                tracing::info!(location = %self.location, source = %report.source, compiled = report.compiled, cached = report.cached, "components from S3 in use");
                Refresh::Loaded(report)
            }
            Err(err) => self.kept(format!("{err:#}")),
        }
    }

    fn kept(&self, why: String) -> Refresh {
        tracing::error!(location = %self.location, error = %why, "components from S3 not loaded; keeping the ones in use");
        Refresh::Kept(why)
    }

    /// `(key, ETag)` of every component object directly under the prefix, sorted.
    async fn list(&self) -> anyhow::Result<Vec<(String, String)>> {
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.location.bucket)
                .prefix(&self.location.prefix)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("cannot list {}: {}", self.location, describe(&e)))?;
            for object in page.contents() {
                let Some(key) = object.key() else { continue };
                let file = key.strip_prefix(&self.location.prefix).unwrap_or(key);
                if loader::is_component_file(file) {
                    found.push((
                        key.to_string(),
                        object.e_tag().unwrap_or_default().to_string(),
                    ));
                }
            }
            match page.next_continuation_token() {
                Some(next) if page.is_truncated() == Some(true) => token = Some(next.to_string()),
                _ => break,
            }
        }
        found.sort();
        Ok(found)
    }

    async fn download_and_load(
        &self,
        runtime: &Runtime,
        listing: &[(String, String)],
    ) -> anyhow::Result<LoadReport> {
        let dir = tempfile::Builder::new()
            .prefix("sps-components-")
            .tempdir()
            .context("cannot make a temporary directory for the components")?;
        for (key, _) in listing {
            let file = key.strip_prefix(&self.location.prefix).unwrap_or(key);
            let object = self
                .client
                .get_object()
                .bucket(&self.location.bucket)
                .key(key)
                .send()
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "cannot get s3://{}/{key}: {}",
                        self.location.bucket,
                        describe(&e)
                    )
                })?;
            let bytes = object
                .body
                .collect()
                .await
                .with_context(|| format!("cannot read s3://{}/{key}", self.location.bucket))?
                .into_bytes();
            tokio::fs::write(dir.path().join(file), &bytes)
                .await
                .with_context(|| format!("cannot write {file}"))?;
        }
        let source = ComponentsSource::EmbeddedWith(dir.path().to_path_buf());
        let runtime = runtime.clone();
        let report = tokio::task::spawn_blocking(move || runtime.replace_components(&source))
            .await
            .context("the component loader stopped")??;
        // The components are compiled in memory; the files are no longer needed.
        drop(dir);
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_s3_prefixes() -> anyhow::Result<()> {
        let p: S3Prefix = "s3://bucket/a/b".parse()?;
        assert_eq!(
            p,
            S3Prefix {
                bucket: "bucket".into(),
                prefix: "a/b/".into()
            }
        );
        assert_eq!(p.to_string(), "s3://bucket/a/b/");
        let p: S3Prefix = "s3://bucket".parse()?;
        assert_eq!(
            p,
            S3Prefix {
                bucket: "bucket".into(),
                prefix: String::new()
            }
        );
        assert!("s3:///x".parse::<S3Prefix>().is_err());
        Ok(())
    }
}
