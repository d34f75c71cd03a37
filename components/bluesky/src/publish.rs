//! `publish`: one part of a post as one `app.bsky.feed.post` record, over the shared
//! [`Capabilities`] trait (wasi:config/store, wasi:keyvalue, wasi:http in the component; a
//! fake in tests). Messages never hold the app password or a token.
//!
//! Steps, nothing sent before the last check:
//! 1. the call must fit the post ([`thread::part_to_publish`]); a reply needs the `uri`
//!    (`id`) and `cid` (`reply_ref`) of part 0 (the thread's root) and of the part before
//!    it (the parent);
//! 2. the settings `base_url`, `identifier` and `app_password` (`missing-credentials`
//!    naming the missing ones);
//! 3. the part's record key, pinned in the key-value store ([`tid::pinned`]; `transient`
//!    when the store cannot pin it);
//! 4. the session ([`Sessions`]), the facets ([`facets::detect`], each mention's handle
//!    resolved with `resolveHandle`; one the PDS says does not resolve gets no facet, and
//!    one it could not be asked about is `transient` or `rate-limited`, so that nothing is
//!    published without it), then `createRecord`, renewing the session once when the PDS
//!    refuses the access token;
//! 5. an ambiguous answer ([`answer::Created::Ambiguous`]) is resolved with `getRecord`
//!    of the record key: the part's record there is the published part; `RecordNotFound`
//!    is `transient` (not published; the retry writes the same key); another post there
//!    (a clash of keys) pins a new key and is `transient`; anything else is
//!    `unknown-outcome` (the sender repeats an idempotent platform's part).
//!
//! The published part: `id` the `at://` URI as returned, `url`
//! `https://bsky.app/profile/<handle>/post/<rkey>` (the DID when the handle is
//! `handle.invalid`), `reply_ref` the CID.

use std::collections::HashMap;

use sps_platform::{
    check_idempotency_key, read_setting, thread, Post, PublishError, PublishedPart,
};
pub use sps_platform::{Capabilities, HttpRequest, HttpResponse, TransportError};

use crate::answer::{self, Created, Lookup};
use crate::facets::{self, Feature};
use crate::record::{
    self, ByteSlice, CreateRecord, Facet, FacetFeature, PostRecord, ReplyRef, StrongRef,
};
use crate::request::{self, SETTING_APP_PASSWORD, SETTING_BASE_URL, SETTING_IDENTIFIER};
use crate::session::{Credentials, Session, Sessions};
use crate::tid;

/// Publish part `part` of `post` (module docs): part 0 as a post, part k > 0 as a reply
/// whose root is `earlier[0]` and whose parent is `earlier[k-1]`.
///
/// # Errors
/// A [`PublishError`] saying whether the part may exist and whether to retry.
pub fn publish(
    caps: &mut impl Capabilities,
    post: &Post,
    part: u32,
    earlier: &[PublishedPart],
) -> Result<PublishedPart, PublishError> {
    let (text, _) = thread::part_to_publish(post, part, earlier, "record uri")?;
    let reply = reply_ref(part, earlier)?;
    let creds = credentials(caps, &post.account)?;
    check_idempotency_key(
        &post.idempotency_key,
        "the Bluesky record keys come from it",
    )?;
    let rkey = tid::pinned(caps, &post.idempotency_key, part)?;
    let mut sessions = Sessions::new(creds);
    let attempt = Attempt {
        post,
        part,
        text,
        reply,
        rkey,
    };
    attempt
        .run(caps, &mut sessions)
        .map_err(|e| e.map_message(|m| sessions.redact(m)))
}

/// The strong reference to `earlier[index]`, which part `part` replies to as `role`.
fn strong_ref(
    earlier: &[PublishedPart],
    index: usize,
    part: u32,
    role: &str,
) -> Result<StrongRef, PublishError> {
    let invalid = |what: &str| {
        PublishError::Invalid(format!(
            "part {part} replies to part {index} as its {role}, whose {what} is empty"
        ))
    };
    let Some(earlier) = earlier.get(index) else {
        return Err(invalid("record"));
    };
    if earlier.id.is_empty() {
        return Err(invalid("record uri"));
    }
    match earlier.reply_ref.as_deref() {
        Some(cid) if !cid.is_empty() => Ok(StrongRef {
            uri: earlier.id.clone(),
            cid: cid.to_string(),
        }),
        _ => Err(invalid("cid (reply_ref)")),
    }
}

/// The `reply` of part `part`: `None` for part 0, else root `earlier[0]` and parent
/// `earlier[part-1]`.
///
/// # Errors
/// `invalid` when either lacks its uri or cid (nothing sent).
pub fn reply_ref(part: u32, earlier: &[PublishedPart]) -> Result<Option<ReplyRef>, PublishError> {
    let Some(parent) = usize::try_from(part).ok().and_then(|p| p.checked_sub(1)) else {
        return Ok(None);
    };
    Ok(Some(ReplyRef {
        root: strong_ref(earlier, 0, part, "root")?,
        parent: strong_ref(earlier, parent, part, "parent")?,
    }))
}

/// The settings (trimmed): `missing-credentials` for an unset `base_url`
/// ([`request::MISSING_BASE_URL_MESSAGE`]) or `identifier` / `app_password`
/// ([`request::missing_credentials_message`]); `transient` for an unusable `base_url`.
///
/// # Errors
/// As said; nothing sent.
pub fn credentials(
    caps: &mut impl Capabilities,
    account: &str,
) -> Result<Credentials, PublishError> {
    let Some(base_url) = read_setting(caps, SETTING_BASE_URL)? else {
        return Err(PublishError::MissingCredentials(
            request::MISSING_BASE_URL_MESSAGE.to_string(),
        ));
    };
    let identifier = read_setting(caps, SETTING_IDENTIFIER)?;
    let app_password = read_setting(caps, SETTING_APP_PASSWORD)?;
    let (Some(identifier), Some(app_password)) = (identifier.clone(), app_password.clone()) else {
        let missing: Vec<&str> = [
            (identifier.is_none(), SETTING_IDENTIFIER),
            (app_password.is_none(), SETTING_APP_PASSWORD),
        ]
        .into_iter()
        .filter_map(|(missing, name)| missing.then_some(name))
        .collect();
        return Err(PublishError::MissingCredentials(
            request::missing_credentials_message(account, &missing),
        ));
    };
    Ok(Credentials {
        account: account.to_string(),
        xrpc: request::xrpc_base(&base_url)?,
        identifier,
        app_password,
    })
}

/// One attempt at one part.
struct Attempt<'a> {
    post: &'a Post,
    part: u32,
    text: &'a str,
    reply: Option<ReplyRef>,
    rkey: String,
}

impl Attempt<'_> {
    /// Steps 4 and 5 of the module docs.
    fn run(
        &self,
        caps: &mut impl Capabilities,
        sessions: &mut Sessions,
    ) -> Result<PublishedPart, PublishError> {
        sessions.session(caps)?;
        let xrpc = sessions.xrpc().to_string();
        let facets = resolve_facets(caps, &xrpc, self.text)?;
        let created_at = record::created_at(caps.now_unix_seconds());
        let outcome = send_authed(caps, sessions, |s| {
            let input = CreateRecord {
                repo: &s.did,
                collection: record::COLLECTION,
                rkey: &self.rkey,
                record: PostRecord {
                    kind: record::COLLECTION,
                    text: self.text,
                    created_at: created_at.clone(),
                    facets: facets.clone(),
                    reply: self.reply.clone(),
                },
            };
            request::create_record(&xrpc, &s.access_jwt, &input)
        })?;
        match answer::created(&outcome, caps.now_unix_seconds()) {
            Created::Published(created) => Ok(self.published(created, sessions.current())),
            Created::Failed(e) => Err(e),
            Created::Ambiguous(why) => self.look_up(caps, sessions, &xrpc, &why),
        }
    }

    /// Step 5: `getRecord` of the record key after an ambiguous `createRecord`.
    fn look_up(
        &self,
        caps: &mut impl Capabilities,
        sessions: &mut Sessions,
        xrpc: &str,
        why: &str,
    ) -> Result<PublishedPart, PublishError> {
        let unknown = |detail: &str| {
            PublishError::UnknownOutcome(format!(
                "{why}; checking with getRecord failed ({detail}); the post may or may not \
                 have been published"
            ))
        };
        let outcome = send_authed(caps, sessions, |s| {
            request::get_record(xrpc, &s.access_jwt, &s.did, &self.rkey)
        })
        .map_err(|e| unknown(e.message()))?;
        match answer::looked_up(&outcome) {
            Lookup::Found {
                record,
                text,
                parent,
            } => {
                let expected_parent = self.reply.as_ref().map(|r| &r.parent.uri);
                if text.as_deref() == Some(self.text) && parent.as_ref() == expected_parent {
                    return Ok(self.published(record, sessions.current()));
                }
                tid::repin(caps, &self.post.idempotency_key, self.part, &self.rkey)?;
                Err(PublishError::Transient(format!(
                    "{why}; the record key {} holds another post (getRecord), so a new record \
                     key was pinned and retrying publishes the part",
                    self.rkey
                )))
            }
            Lookup::NotFound => Err(PublishError::Transient(format!(
                "{why}; getRecord finds no record {}, so the part was not published and \
                 retrying with the same record key is safe",
                self.rkey
            ))),
            Lookup::Unknown(detail) => Err(unknown(&detail)),
        }
    }

    /// The published part of `created` (module docs); the profile in the URL is the
    /// session's handle, else its DID, else the URI's authority.
    fn published(&self, created: StrongRef, session: Option<&Session>) -> PublishedPart {
        let rkey = created
            .uri
            .rsplit('/')
            .next()
            .filter(|k| tid::is_valid(k))
            .unwrap_or(&self.rkey)
            .to_string();
        let authority = created
            .uri
            .strip_prefix("at://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default();
        let profile = match session {
            Some(s) if !s.handle.is_empty() && s.handle != "handle.invalid" => &s.handle,
            Some(s) => &s.did,
            None => authority,
        };
        PublishedPart {
            url: Some(format!("https://bsky.app/profile/{profile}/post/{rkey}")),
            id: created.uri,
            reply_ref: Some(created.cid),
        }
    }
}

/// Sends the request `build` makes from the session; when the PDS refuses the access
/// token ([`answer::token_refused`]), renews the session and sends it once more.
///
/// # Errors
/// From the session ([`Sessions::session`], [`Sessions::renew`]) or `build`.
pub(crate) fn send_authed(
    caps: &mut impl Capabilities,
    sessions: &mut Sessions,
    build: impl Fn(&Session) -> Result<HttpRequest, PublishError>,
) -> Result<Result<HttpResponse, TransportError>, PublishError> {
    let request = build(&sessions.session(caps)?)?;
    let first = caps.send(&request);
    if !matches!(&first, Ok(response) if answer::token_refused(response)) {
        return Ok(first);
    }
    sessions.renew(caps)?;
    let request = build(&sessions.session(caps)?)?;
    Ok(caps.send(&request))
}

/// The facets of `text` ([`facets::detect`]), each mention resolved to a DID with
/// `resolveHandle` (once per handle); a mention whose handle does not resolve is left out.
///
/// # Errors
/// The error of [`answer::resolved_did`] when the PDS could not be asked: the delivery
/// is retried rather than published without the mention.
pub fn resolve_facets(
    caps: &mut impl Capabilities,
    xrpc: &str,
    text: &str,
) -> Result<Vec<Facet>, PublishError> {
    let mut dids: HashMap<String, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    for span in facets::detect(text) {
        let feature = match span.feature {
            Feature::Link(uri) => FacetFeature::Link { uri },
            Feature::Tag(tag) => FacetFeature::Tag { tag },
            Feature::Mention(handle) => {
                let did = match dids.get(&handle) {
                    Some(did) => did.clone(),
                    None => {
                        let outcome = caps.send(&request::resolve_handle(xrpc, &handle));
                        let did = answer::resolved_did(&outcome, &handle, caps.now_unix_seconds())?;
                        dids.insert(handle, did.clone());
                        did
                    }
                };
                match did {
                    Some(did) => FacetFeature::Mention { did },
                    None => continue,
                }
            }
        };
        out.push(Facet {
            index: ByteSlice {
                byte_start: span.byte_start,
                byte_end: span.byte_end,
            },
            features: vec![feature],
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
