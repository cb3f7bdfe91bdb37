//! Discord's limits on a message's embeds, checked as Discord checks them: in characters
//! (Unicode code points), each part on its own, then 6,000 across all embeds of the message.
//! A violation is the `errors` object of a 50035 "Invalid Form Body", shaped like Discord's:
//! `{"embeds": {"0": {"description": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", ...}]}}}}`.

use serde_json::{Map, Value, json};

pub const CONTENT: usize = 2_000;
const EMBEDS: usize = 10;
const TITLE: usize = 256;
const DESCRIPTION: usize = 4_096;
const FIELDS: usize = 25;
const FIELD_NAME: usize = 256;
const FIELD_VALUE: usize = 1_024;
const FOOTER: usize = 2_048;
const AUTHOR_NAME: usize = 256;
const TOTAL: usize = 6_000;

/// The characters of a JSON string (0 for anything else).
pub fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn error(code: &str, message: String) -> Value {
    json!({"_errors": [{"code": code, "message": message}]})
}

/// `{"_errors": [...]}` for a text over `max` characters.
pub fn too_long(max: usize) -> Value {
    error(
        "BASE_TYPE_MAX_LENGTH",
        format!("Must be {max} or fewer in length."),
    )
}

fn required() -> Value {
    error("BASE_TYPE_REQUIRED", "This field is required".to_owned())
}

/// The errors of one embed, keyed by field path, empty when it is valid.
fn embed_errors(embed: &Value) -> Map<String, Value> {
    let mut errors = Map::new();
    for (key, max) in [("title", TITLE), ("description", DESCRIPTION)] {
        if chars(&embed[key]) > max {
            errors.insert(key.to_owned(), too_long(max));
        }
    }
    if chars(&embed["footer"]["text"]) > FOOTER {
        errors.insert("footer".into(), json!({"text": too_long(FOOTER)}));
    }
    if chars(&embed["author"]["name"]) > AUTHOR_NAME {
        errors.insert("author".into(), json!({"name": too_long(AUTHOR_NAME)}));
    }
    let fields = embed["fields"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if fields.len() > FIELDS {
        errors.insert("fields".into(), too_long(FIELDS));
        return errors;
    }
    let mut field_errors = Map::new();
    for (index, field) in fields.iter().enumerate() {
        let mut this = Map::new();
        for (key, max) in [("name", FIELD_NAME), ("value", FIELD_VALUE)] {
            match chars(&field[key]) {
                0 => {
                    this.insert(key.to_owned(), required());
                }
                n if n > max => {
                    this.insert(key.to_owned(), too_long(max));
                }
                _ => {}
            }
        }
        if !this.is_empty() {
            field_errors.insert(index.to_string(), Value::Object(this));
        }
    }
    if !field_errors.is_empty() {
        errors.insert("fields".into(), Value::Object(field_errors));
    }
    errors
}

/// What Discord counts against the 6,000 characters of a message.
pub fn embed_chars(embed: &Value) -> usize {
    let fields = embed["fields"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    chars(&embed["title"])
        + chars(&embed["description"])
        + chars(&embed["footer"]["text"])
        + chars(&embed["author"]["name"])
        + fields
            .iter()
            .map(|f| chars(&f["name"]) + chars(&f["value"]))
            .sum::<usize>()
}

/// The `errors` object of a 50035 for these embeds, or `None` when Discord takes them.
pub fn embeds_errors(list: &[Value]) -> Option<Value> {
    if list.len() > EMBEDS {
        return Some(json!({"embeds": too_long(EMBEDS)}));
    }
    let mut per_embed = Map::new();
    for (index, embed) in list.iter().enumerate() {
        let errors = embed_errors(embed);
        if !errors.is_empty() {
            per_embed.insert(index.to_string(), Value::Object(errors));
        }
    }
    if !per_embed.is_empty() {
        return Some(json!({ "embeds": per_embed }));
    }
    if list.iter().map(embed_chars).sum::<usize>() > TOTAL {
        return Some(json!({"embeds": error(
            "MAX_EMBED_SIZE_EXCEEDED",
            format!("Embed size exceeds maximum size of {TOTAL}"),
        )}));
    }
    None
}
