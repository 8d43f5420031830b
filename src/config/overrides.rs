//! `--set key.path=value` overrides, applied to the parsed TOML document before it is
//! deserialized, so overridden values go through the same validation as the file.
//!
//! Paths are dotted keys with optional array indexes: `markets[0].auction_share=0.5`,
//! `sectors.power.firms=100`, `scenario.end_year=2030`. The value is read as a TOML value
//! (`0.5`, `true`, `[[2021, 0.8]]`, `"text"`); anything that is not valid TOML is taken as a
//! string. Missing tables along the path are created (optional sections); array indexes must
//! exist. Keys that the scenario format does not know are then rejected by validation.

use crate::error::{Error, Result};
use toml::{Table, Value};

/// One parsed override.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// Path segments: keys and array indexes.
    pub path: Vec<Segment>,
    /// The original `key.path` text, for messages.
    pub text: String,
    /// The value.
    pub value: Value,
}

/// A path segment.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// Parses `key.path=value`.
pub fn parse(spec: &str) -> Result<Override> {
    let bad = |why: &str| Error::input(format!("--set {spec:?}: {why}"));
    let (path_text, value_text) = spec
        .split_once('=')
        .ok_or_else(|| bad("expected key.path=value"))?;
    let path_text = path_text.trim();
    let mut path = Vec::new();
    for part in path_text.split('.') {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(bad(&format!(
                "{path_text:?} is not a key path (letters, digits, _ and - separated by dots, with optional [index])"
            )));
        }
        path.push(Segment::Key(key.to_string()));
        let mut rest = rest;
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(|| bad("unclosed ["))?;
            let idx: usize = rest[1..close]
                .parse()
                .map_err(|_| bad(&format!("{:?} is not an array index", &rest[1..close])))?;
            path.push(Segment::Index(idx));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(bad("unexpected text after ]"));
            }
        }
    }
    let value_text = value_text.trim();
    let value = match format!("v = {value_text}").parse::<Table>() {
        Ok(mut t) => t.remove("v").unwrap_or(Value::String(value_text.into())),
        Err(_) => Value::String(value_text.into()),
    };
    Ok(Override {
        path,
        text: path_text.to_string(),
        value,
    })
}

/// Applies `ov` to `doc`; `label` names the config file in errors.
pub fn apply(doc: &mut Table, ov: &Override, label: &str) -> Result<()> {
    let missing = |upto: usize| {
        let shown: Vec<String> = ov.path[..upto]
            .iter()
            .map(|s| match s {
                Segment::Key(k) => k.clone(),
                Segment::Index(i) => format!("[{i}]"),
            })
            .collect();
        Error::input(format!(
            "--set {}: {label} has no key {:?}",
            ov.text,
            shown.join(".").replace(".[", "[")
        ))
    };
    let Some((last, parents)) = ov.path.split_last() else {
        return Err(missing(0));
    };
    let mut root = Value::Table(std::mem::take(doc));
    let result = set_at(&mut root, parents, last, &ov.value).map_err(missing);
    if let Value::Table(t) = root {
        *doc = t;
    }
    result
}

fn child<'a>(v: &'a mut Value, seg: &Segment) -> Option<&'a mut Value> {
    match (seg, v) {
        (Segment::Key(k), Value::Table(t)) => t.get_mut(k),
        (Segment::Index(n), Value::Array(a)) => a.get_mut(*n),
        _ => None,
    }
}

/// Sets `value` at `parents` + `last` below `root`; on failure returns how many segments
/// of the path exist.
fn set_at(
    root: &mut Value,
    parents: &[Segment],
    last: &Segment,
    value: &Value,
) -> std::result::Result<(), usize> {
    let mut cur = root;
    for (i, seg) in parents.iter().enumerate() {
        // A missing table (an optional section such as [diffusion]) is created; unknown keys
        // are then reported by the deserializer.
        if let (Segment::Key(k), Value::Table(t)) = (seg, &mut *cur)
            && !t.contains_key(k)
        {
            t.insert(k.clone(), Value::Table(toml::Table::new()));
        }
        cur = child(cur, seg).ok_or(i + 1)?;
    }
    match (last, cur) {
        (Segment::Key(k), Value::Table(t)) => {
            t.insert(k.clone(), value.clone());
            Ok(())
        }
        (Segment::Index(n), Value::Array(a)) if *n < a.len() => {
            a[*n] = value.clone();
            Ok(())
        }
        _ => Err(parents.len() + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_applies() {
        let mut doc: Table = "[a]\nb = 1\n[[m]]\nx = 2\n".parse().unwrap();
        apply(&mut doc, &parse("a.b=3.5").unwrap(), "f").unwrap();
        apply(&mut doc, &parse("m[0].x=[[2020, 1.0]]").unwrap(), "f").unwrap();
        apply(&mut doc, &parse("a.name=hello").unwrap(), "f").unwrap();
        assert_eq!(doc["a"]["b"].as_float(), Some(3.5));
        assert_eq!(doc["a"]["name"].as_str(), Some("hello"));
        assert!(doc["m"][0]["x"].is_array());
        apply(&mut doc, &parse("newsection.b=1").unwrap(), "f").unwrap();
        assert_eq!(doc["newsection"]["b"].as_integer(), Some(1));
        assert!(apply(&mut doc, &parse("a.b.c=1").unwrap(), "f").is_err());
        assert!(apply(&mut doc, &parse("m[3].x=1").unwrap(), "f").is_err());
        assert!(parse("novalue").is_err());
        assert!(parse("a..b=1").is_err());
        // The document survives a failed override.
        assert_eq!(doc["a"]["b"].as_float(), Some(3.5));
    }
}
