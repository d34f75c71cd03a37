//! JSON text to a [`serde_json::Value`], refusing any object that holds a key twice.
//!
//! RFC 8259 section 4 says an object's names SHOULD be unique and leaves duplicates to the
//! implementation; serde_json keeps the last one, so
//! `{"detail-type":"Nope","detail-type":"Schedule Social Post",...}` would be read as a
//! request. An event with a repeated key means two different things to two readers, so it
//! is refused instead. serde_json has no switch for that: [`parse`] runs serde_json's own
//! parser (same syntax errors, same recursion limit of 128) with a small visitor of ours
//! that builds the `Value` and stops at the first repeated key, at any depth. Keys are
//! compared after unescaping, so `"a"` and `"\u0061"` are the same key.

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a text is not a JSON value the scheduler reads.
#[derive(Debug)]
pub enum JsonError {
    /// Not JSON (or trailing text): serde_json's error, with its line and column.
    Syntax(serde_json::Error),
    /// An object holds `key` twice; the second one's closing quote is at `line`, `column`
    /// (1-based, in characters).
    DuplicateKey {
        /// The repeated key, unescaped.
        key: String,
        /// The line of the second occurrence.
        line: usize,
        /// The column of the second occurrence's closing quote.
        column: usize,
    },
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::Syntax(e) => write!(f, "{e}"),
            JsonError::DuplicateKey { key, line, column } => write!(
                f,
                "the key {key:?} appears twice in one object (line {line}, column {column})"
            ),
        }
    }
}

/// Parse `text` as one JSON value with nothing but white space after it.
///
/// # Errors
/// [`JsonError::DuplicateKey`] for the first key repeated within one object, in text order;
/// [`JsonError::Syntax`] for anything serde_json refuses.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let duplicate = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = Strict {
        duplicate: &duplicate,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    parsed.map_err(|error| match duplicate.into_inner() {
        Some(key) => JsonError::DuplicateKey {
            key,
            line: error.line(),
            column: error.column(),
        },
        None => JsonError::Syntax(error),
    })
}

/// A seed building one value; a repeated key is recorded in `duplicate` and fails the parse.
#[derive(Clone, Copy)]
struct Strict<'a> {
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // serde_json never hands over a non-finite float; `Null` as its own Value does.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let error = A::Error::custom(format!("duplicate key {key:?}"));
                *self.duplicate.borrow_mut() = Some(key);
                return Err(error);
            }
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_the_ones_serde_json_reads() {
        let text = r#"{"a":[1,-2,3.5,1e400,18446744073709551615,true,null,"\u00e9"],"b":{"c":{}}}"#;
        let strict = parse(text).map_err(|e| e.to_string());
        let plain = serde_json::from_str::<Value>(text).map_err(|e| e.to_string());
        assert_eq!(strict, plain);
    }

    #[test]
    fn a_repeated_key_at_any_depth_is_named() {
        let cases = [
            (r#"{"a":1,"a":2}"#, "a", 1, 10),
            (
                r#"{"detail":{"message":"x","message":"y"}}"#,
                "message",
                1,
                34,
            ),
            ("[{\"k\":1},\n {\"k\":1,\"k\":1}]", "k", 2, 11),
            (r#"{"a":1,"\u0061":2}"#, "a", 1, 15),
        ];
        for (text, key, line, column) in cases {
            let got = parse(text).map_err(|e| e.to_string());
            let want = format!(
                "the key {key:?} appears twice in one object (line {line}, column {column})"
            );
            assert_eq!(got, Err(want), "{text}");
        }
    }

    #[test]
    fn the_same_key_in_different_objects_is_fine() {
        let text = r#"{"a":{"a":1},"b":[{"a":2},{"a":3}]}"#;
        assert_eq!(
            parse(text).map_err(|e| e.to_string()),
            Ok(serde_json::json!({"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}))
        );
    }

    proptest::proptest! {
        /// Any object text with one of its keys written again at its end (at the top or one
        /// level down) is refused naming that key; without the repeat it reads as serde_json
        /// reads it.
        #[test]
        fn any_repeated_key_is_refused_by_name(
            object in proptest::collection::btree_map(
                proptest::prelude::any::<String>(),
                proptest::prelude::any::<(i64, String, bool)>(),
                1..6,
            ),
            pick in proptest::prelude::any::<proptest::sample::Index>(),
            nested in proptest::prelude::any::<bool>(),
        ) {
            let object: Map<String, Value> = object
                .into_iter()
                .map(|(k, (n, s, b))| (k, serde_json::json!([n, s, b])))
                .collect();
            let keys: Vec<&String> = object.keys().collect();
            let key = pick.get(&keys).to_string();
            let once = Value::Object(object.clone()).to_string();
            let body = once.strip_suffix('}').unwrap_or_default();
            let twice = format!("{body},{}:null}}", Value::String(key.clone()));
            let wrap = |inner: &str| if nested { format!(r#"{{"x":{inner}}}"#) } else { inner.to_owned() };
            let got = parse(&wrap(&twice)).map_err(|e| e.to_string());
            let prefix = format!("the key {key:?} appears twice in one object (line 1, column ");
            proptest::prop_assert!(
                got.as_ref().is_err_and(|m| m.starts_with(&prefix)),
                "{:?}",
                got
            );
            let plain = serde_json::from_str::<Value>(&wrap(&once)).map_err(|e| e.to_string());
            proptest::prop_assert_eq!(parse(&wrap(&once)).map_err(|e| e.to_string()), plain);
        }
    }

    #[test]
    fn syntax_errors_are_serde_json_s() {
        for text in ["", "{", "{} x", "[1,]", r#"{"a" 1}"#] {
            let strict = parse(text).map_err(|e| e.to_string());
            let plain = serde_json::from_str::<Value>(text).map_err(|e| e.to_string());
            assert_eq!(strict, plain, "{text:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(
            parse(&deep).map_err(|e| e.to_string()),
            Err("recursion limit exceeded at line 1 column 128".to_owned())
        );
    }
}
