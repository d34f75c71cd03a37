//! The JSON of a post: the input of `com.atproto.repo.createRecord` (lexicon
//! `com.atproto.repo.createRecord`: `repo`, `collection`, `rkey`, `record`) whose record is
//! an `app.bsky.feed.post` (lexicon `app.bsky.feed.post`: `$type`, `text`, `createdAt`,
//! optional `facets` and `reply`).
//!
//! - `createdAt` is RFC 3339 in UTC with milliseconds and `Z`
//!   (`2026-12-06T06:30:00.000Z`; atproto.com/specs/lexicon, `datetime`);
//! - `facets` (`app.bsky.richtext.facet`) only when there are some: each
//!   `{"index": {"byteStart", "byteEnd"}, "features": [{"$type": "…#link", "uri"}]}`,
//!   `…#mention` with `did`, `…#tag` with `tag`;
//! - `reply` (`app.bsky.feed.post#replyRef`) for a reply: `root` and `parent`, each a
//!   strong reference (`com.atproto.repo.strongRef`: `uri` and `cid`) to the thread's
//!   first post and to the post replied to.

use serde::Serialize;

/// The collection of posts.
pub const COLLECTION: &str = "app.bsky.feed.post";

/// The input of `createRecord` for a post.
#[derive(Serialize, Debug)]
pub struct CreateRecord<'a> {
    /// The account's DID.
    pub repo: &'a str,
    /// [`COLLECTION`].
    pub collection: &'static str,
    /// The record key, a TID ([`crate::tid`]).
    pub rkey: &'a str,
    /// The post.
    pub record: PostRecord<'a>,
}

/// An `app.bsky.feed.post` record.
#[derive(Serialize, Debug)]
pub struct PostRecord<'a> {
    /// Always [`COLLECTION`].
    #[serde(rename = "$type")]
    pub kind: &'static str,
    /// The text, as the event gave it.
    pub text: &'a str,
    /// [`created_at`] of the attempt.
    #[serde(rename = "createdAt")]
    pub created_at: String,
    /// The resolved facets; left out when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<Facet>,
    /// The thread's root and the parent, for a reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyRef>,
}

/// A strong reference to a record (`com.atproto.repo.strongRef`).
#[derive(Serialize, Clone, PartialEq, Eq, Debug)]
pub struct StrongRef {
    /// Its `at://` URI.
    pub uri: String,
    /// Its CID.
    pub cid: String,
}

/// `app.bsky.feed.post#replyRef`.
#[derive(Serialize, Clone, PartialEq, Eq, Debug)]
pub struct ReplyRef {
    /// The first post of the thread.
    pub root: StrongRef,
    /// The post replied to.
    pub parent: StrongRef,
}

/// `app.bsky.richtext.facet#byteSlice`: UTF-8 bytes, start inclusive, end exclusive.
#[derive(Serialize, Clone, PartialEq, Eq, Debug)]
pub struct ByteSlice {
    /// The first byte.
    #[serde(rename = "byteStart")]
    pub byte_start: usize,
    /// Just past the last byte.
    #[serde(rename = "byteEnd")]
    pub byte_end: usize,
}

/// One feature of a facet, tagged by `$type`.
#[derive(Serialize, Clone, PartialEq, Eq, Debug)]
#[serde(tag = "$type")]
pub enum FacetFeature {
    /// `app.bsky.richtext.facet#link` with its `uri`.
    #[serde(rename = "app.bsky.richtext.facet#link")]
    Link {
        /// The URL.
        uri: String,
    },
    /// `app.bsky.richtext.facet#mention` with the account's `did`.
    #[serde(rename = "app.bsky.richtext.facet#mention")]
    Mention {
        /// The DID the handle resolved to.
        did: String,
    },
    /// `app.bsky.richtext.facet#tag` with the `tag` (no `#`).
    #[serde(rename = "app.bsky.richtext.facet#tag")]
    Tag {
        /// The tag.
        tag: String,
    },
}

/// An `app.bsky.richtext.facet`.
#[derive(Serialize, Clone, PartialEq, Eq, Debug)]
pub struct Facet {
    /// Where in the text.
    pub index: ByteSlice,
    /// What it is (one feature here).
    pub features: Vec<FacetFeature>,
}

/// `unix_seconds` as a `createdAt`: RFC 3339 UTC with milliseconds and `Z`
/// (`2026-12-06T06:30:00.000Z`); the Unix epoch for a time chrono cannot represent.
pub fn created_at(unix_seconds: u64) -> String {
    i64::try_from(unix_seconds)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_at_has_milliseconds_and_z() {
        assert_eq!(created_at(1_796_538_600), "2026-12-06T06:30:00.000Z");
        assert_eq!(created_at(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(created_at(u64::MAX), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn a_reply_with_facets_is_the_lexicons_json() {
        let reply = ReplyRef {
            root: StrongRef {
                uri: "at://did:plc:a/app.bsky.feed.post/3k".to_string(),
                cid: "bafyroot".to_string(),
            },
            parent: StrongRef {
                uri: "at://did:plc:a/app.bsky.feed.post/3l".to_string(),
                cid: "bafyparent".to_string(),
            },
        };
        let input = CreateRecord {
            repo: "did:plc:a",
            collection: COLLECTION,
            rkey: "3n3y6yldjiptj",
            record: PostRecord {
                kind: COLLECTION,
                text: "#x @b.test",
                created_at: created_at(0),
                facets: vec![
                    Facet {
                        index: ByteSlice {
                            byte_start: 0,
                            byte_end: 2,
                        },
                        features: vec![FacetFeature::Tag {
                            tag: "x".to_string(),
                        }],
                    },
                    Facet {
                        index: ByteSlice {
                            byte_start: 3,
                            byte_end: 10,
                        },
                        features: vec![FacetFeature::Mention {
                            did: "did:plc:b".to_string(),
                        }],
                    },
                ],
                reply: Some(reply),
            },
        };
        assert_eq!(
            serde_json::to_string(&input).unwrap(),
            concat!(
                r#"{"repo":"did:plc:a","collection":"app.bsky.feed.post","rkey":"3n3y6yldjiptj","#,
                r##""record":{"$type":"app.bsky.feed.post","text":"#x @b.test","##,
                r#""createdAt":"1970-01-01T00:00:00.000Z","facets":["#,
                r#"{"index":{"byteStart":0,"byteEnd":2},"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"x"}]},"#,
                r#"{"index":{"byteStart":3,"byteEnd":10},"features":[{"$type":"app.bsky.richtext.facet#mention","did":"did:plc:b"}]}],"#,
                r#""reply":{"root":{"uri":"at://did:plc:a/app.bsky.feed.post/3k","cid":"bafyroot"},"#,
                r#""parent":{"uri":"at://did:plc:a/app.bsky.feed.post/3l","cid":"bafyparent"}}}}"#
            )
        );
    }
}
