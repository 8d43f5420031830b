//! `--set key.path=value` overrides, applied to the parsed TOML document before it is
//! deserialized, so overridden values go through the same validation as the file.
//!
//! Paths are dotted keys with optional array indexes: `markets[0].auction_share=0.5`,
//! `sectors.power.firms=100`, `scenario.end_year=2030`. Items of an array of tables that
//! have a `name` (markets, technologies, plans) are better addressed by that name, in either
//! form: `markets.national.end_year=2030` or `markets[name=national].end_year=2030`; a name
//! keeps pointing at the same item when the array is reordered, an index does not. A name
//! that matches no item is an error listing the names there are. The value is read as a TOML value
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
    /// The item of an array of tables whose `name` is this (`[name=x]`, or `.x` at an array).
    Named(String),
}

impl std::fmt::Display for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Segment::Key(k) => write!(f, ".{k}"),
            Segment::Index(i) => write!(f, "[{i}]"),
            Segment::Named(n) => write!(f, "[name={n}]"),
        }
    }
}

/// Whether `c` may appear in a key or a name.
fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Parses `key.path=value`.
pub fn parse(spec: &str) -> Result<Override> {
    let bad = |why: &str| Error::input(format!("--set {spec:?}: {why}"));
    // The first `=` outside brackets separates the path from the value (`[name=x]`).
    let mut depth = 0i32;
    let eq = spec.char_indices().find_map(|(i, c)| {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '=' if depth == 0 => return Some(i),
            _ => {}
        }
        None
    });
    let eq = eq.ok_or_else(|| bad("expected key.path=value"))?;
    let (path_text, value_text) = (&spec[..eq], &spec[eq + 1..]);
    let path_text = path_text.trim();
    let mut path = Vec::new();
    for part in path_text.split('.') {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() || !key.chars().all(key_char) {
            return Err(bad(&format!(
                "{path_text:?} is not a key path (letters, digits, _ and - separated by dots, with optional [index] or [name=...])"
            )));
        }
        path.push(Segment::Key(key.to_string()));
        let mut rest = rest;
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(|| bad("unclosed ["))?;
            let inner = &rest[1..close];
            let seg = match inner.strip_prefix("name=") {
                Some(n) if !n.is_empty() && n.chars().all(key_char) => {
                    Segment::Named(n.to_string())
                }
                Some(n) => return Err(bad(&format!("{n:?} is not a name"))),
                None => Segment::Index(inner.parse().map_err(|_| {
                    bad(&format!(
                        "{inner:?} is not an array index or name=... selector"
                    ))
                })?),
            };
            path.push(seg);
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
    let missing = |miss: Miss| {
        let shown: String = ov.path[..miss.upto].iter().map(|s| s.to_string()).collect();
        let shown = shown.trim_start_matches('.');
        let names = if miss.names.is_empty() {
            String::new()
        } else {
            format!(" (names there: {})", miss.names.join(", "))
        };
        Error::input(format!(
            "--set {}: {label} has no key {shown:?}{names}",
            ov.text
        ))
    };
    let Some((last, parents)) = ov.path.split_last() else {
        return Err(missing(Miss::default()));
    };
    let mut root = Value::Table(std::mem::take(doc));
    let result = set_at(&mut root, parents, last, &ov.value).map_err(missing);
    if let Value::Table(t) = root {
        *doc = t;
    }
    result
}

/// The value at `path` in `doc` (None where the path does not exist).
pub fn get<'a>(doc: &'a Table, path: &[Segment]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let Segment::Key(k) = first else { return None };
    let mut cur = doc.get(k)?;
    for seg in rest {
        cur = match (seg, cur) {
            (Segment::Key(k), Value::Table(t)) => t.get(k)?,
            (seg, Value::Array(a)) => &a[array_pos(a, seg)?],
            _ => return None,
        };
    }
    Some(cur)
}

/// Where a path stopped existing: the number of segments that exist plus the one that does
/// not, and the names of the array's items when a name was not found.
#[derive(Debug, Default)]
struct Miss {
    upto: usize,
    names: Vec<String>,
}

/// The `name` of each item of an array of tables (items without one are skipped).
fn item_names(a: &[Value]) -> Vec<String> {
    a.iter()
        .filter_map(|v| v.get("name").and_then(Value::as_str).map(String::from))
        .collect()
}

/// Position of the item called `name` in an array of tables.
fn named(a: &[Value], name: &str) -> Option<usize> {
    a.iter()
        .position(|v| v.get("name").and_then(Value::as_str) == Some(name))
}

/// The position that `seg` selects in array `a` (an index, or a name: `[name=x]` or a key).
fn array_pos(a: &[Value], seg: &Segment) -> Option<usize> {
    match seg {
        Segment::Index(n) => (*n < a.len()).then_some(*n),
        Segment::Named(n) | Segment::Key(n) => named(a, n),
    }
}

/// Sets `value` at `parents` + `last` below `root`; on failure says how far the path exists.
fn set_at(
    root: &mut Value,
    parents: &[Segment],
    last: &Segment,
    value: &Value,
) -> std::result::Result<(), Miss> {
    let miss = |upto: usize, v: &Value| Miss {
        upto,
        names: v.as_array().map(|a| item_names(a)).unwrap_or_default(),
    };
    let mut cur = root;
    for (i, seg) in parents.iter().enumerate() {
        // A missing table (an optional section such as [diffusion]) is created; unknown keys
        // are then reported by the deserializer.
        if let (Segment::Key(k), Value::Table(t)) = (seg, &mut *cur)
            && !t.contains_key(k)
        {
            t.insert(k.clone(), Value::Table(toml::Table::new()));
        }
        cur = match (seg, cur) {
            (Segment::Key(k), Value::Table(t)) => t.get_mut(k).ok_or(Miss {
                upto: i + 1,
                names: vec![],
            })?,
            (seg, Value::Array(a)) => match array_pos(a, seg) {
                Some(p) => &mut a[p],
                None => {
                    return Err(Miss {
                        upto: i + 1,
                        names: item_names(a),
                    });
                }
            },
            _ => {
                return Err(Miss {
                    upto: i + 1,
                    names: vec![],
                });
            }
        };
    }
    match (last, cur) {
        (Segment::Key(k), Value::Table(t)) => {
            t.insert(k.clone(), value.clone());
            Ok(())
        }
        (seg, Value::Array(a)) => match array_pos(a, seg) {
            Some(p) => {
                a[p] = value.clone();
                Ok(())
            }
            None => Err(Miss {
                upto: parents.len() + 1,
                names: item_names(a),
            }),
        },
        (_, v) => Err(miss(parents.len() + 1, v)),
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

    #[test]
    fn items_are_addressed_by_name_in_both_forms() {
        let text = "[[m]]\nname = \"a\"\nx = 1\n[[m]]\nname = \"b\"\nx = 2\n";
        let mut doc: Table = text.parse().unwrap();
        apply(&mut doc, &parse("m.b.x=20").unwrap(), "f").unwrap();
        apply(&mut doc, &parse("m[name=a].x=10").unwrap(), "f").unwrap();
        apply(&mut doc, &parse("m[name=a].y=[[2020, 1.0]]").unwrap(), "f").unwrap();
        assert_eq!(doc["m"][0]["x"].as_integer(), Some(10));
        assert_eq!(doc["m"][1]["x"].as_integer(), Some(20));
        assert!(doc["m"][0]["y"].is_array());
        // The index form still works and means the same item.
        apply(&mut doc, &parse("m[1].x=21").unwrap(), "f").unwrap();
        assert_eq!(doc["m"][1]["x"].as_integer(), Some(21));
        // A reordering does not move a named override.
        let mut rev: Table = "[[m]]\nname = \"b\"\nx = 2\n[[m]]\nname = \"a\"\nx = 1\n"
            .parse()
            .unwrap();
        apply(&mut rev, &parse("m.a.x=10").unwrap(), "f").unwrap();
        assert_eq!(rev["m"][1]["x"].as_integer(), Some(10));
        assert_eq!(rev["m"][0]["x"].as_integer(), Some(2));
        // An unknown name is an error that lists the names there are.
        let e = apply(&mut doc, &parse("m.zz.x=1").unwrap(), "f.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("m[name=zz]") || e.contains("m.zz"), "{e}");
        assert!(e.contains("names there: a, b"), "{e}");
        let e = apply(&mut doc, &parse("m[name=q].x=1").unwrap(), "f.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("names there: a, b"), "{e}");
        assert!(parse("m[name=].x=1").is_err());
        assert!(parse("m[name=a b].x=1").is_err());
    }
}
