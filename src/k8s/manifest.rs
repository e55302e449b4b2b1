//! Reading manifests: JSON, multi-document YAML and `kind: List` inputs
//! into a [`ManifestSet`] of [`Document`]s, within [`MAX_MANIFEST_BYTES`],
//! [`MAX_DOCUMENTS`] and [`MAX_EXPANDED_SIZE`].

use serde::Deserialize as _;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::fmt;

/// The most bytes one manifest input may have (16 MiB).
pub const MAX_MANIFEST_BYTES: usize = 16 << 20;
/// The most documents one input may hold (after `kind: List` expansion).
pub const MAX_DOCUMENTS: usize = 100_000;
/// The most the documents of one [`ManifestSet`] may hold once read, with
/// every YAML alias (`*name`) expanded where it is used (32 MiB): one for
/// every value (mapping, list, string, number, boolean, null), plus the
/// bytes of every string and mapping key ([`ManifestSet::expanded_size`]).
///
/// The budget covers the whole set: every document of a stream and every
/// input added with [`ManifestSet::add`], YAML and JSON alike. A document
/// without aliases takes about its own length or less (each value and key
/// is written out in it), so any one input within [`MAX_MANIFEST_BYTES`]
/// fits, with room for more; aliases that repeat content thousands of
/// times are what exceed it ([`ManifestError::ExpansionTooLarge`]). The
/// set's memory is then at most what two alias-free inputs of
/// [`MAX_MANIFEST_BYTES`] can take.
pub const MAX_EXPANDED_SIZE: usize = 2 * MAX_MANIFEST_BYTES;

/// Why manifests could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// Not YAML or JSON.
    #[error("{source_name}: document {document}: not valid YAML or JSON{}: {message}", location(*line, *column))]
    Syntax {
        /// The input's name.
        source_name: String,
        /// 1-based document number.
        document: usize,
        /// 1-based line, when known.
        line: Option<u64>,
        /// 1-based column, when known.
        column: Option<u64>,
        /// What the parser said.
        message: String,
    },
    /// A field has the wrong type or is missing.
    #[error("{source_name}: document {document} ({object}): field `{path}` {problem}")]
    Field {
        /// The input's name.
        source_name: String,
        /// 1-based document number.
        document: usize,
        /// `Kind/namespace/name`, as far as known.
        object: String,
        /// The field's path, e.g. `spec.template.spec.containers[0].name`.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Over [`MAX_MANIFEST_BYTES`] or [`MAX_DOCUMENTS`].
    #[error("{source_name}: {what}")]
    TooLarge {
        /// The input's name.
        source_name: String,
        /// Which limit.
        what: String,
    },
    /// The documents read so far, with YAML aliases expanded, would hold
    /// more than [`MAX_EXPANDED_SIZE`]: this document crossed the budget
    /// of the whole set (every document of every input). Same code as
    /// [`ManifestError::TooLarge`].
    #[error(
        "{source_name}: document {document}: over the alias expansion budget for the whole input \
         ({limit} bytes once every YAML alias is expanded, shared by all documents of all \
         inputs read together); write out the content that aliases (*name) repeat, or check \
         fewer or smaller inputs at a time"
    )]
    ExpansionTooLarge {
        /// The input's name.
        source_name: String,
        /// 1-based document number in that input.
        document: usize,
        /// The budget, [`MAX_EXPANDED_SIZE`].
        limit: usize,
    },
}

fn location(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}

impl ManifestError {
    /// A stable numeric code (band 4xx).
    pub const fn code(&self) -> u32 {
        match self {
            ManifestError::Syntax { .. } => 400,
            ManifestError::Field { .. } => 401,
            ManifestError::TooLarge { .. } | ManifestError::ExpansionTooLarge { .. } => 402,
        }
    }
}

/// One Kubernetes object from the input.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Document {
    /// The input it came from.
    pub source: String,
    /// 1-based document number in that input.
    pub index: usize,
    /// The object.
    pub value: Value,
    /// A JSON input that is not valid JSON but was read as YAML: line and
    /// column of the JSON error (a patch body sent with curl must be JSON).
    pub invalid_json: Option<(usize, usize, String)>,
}

/// Manifests: every document of one or more inputs, with `kind: List`
/// expanded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ManifestSet {
    docs: Vec<Document>,
    /// The size of everything read so far, aliases expanded (see
    /// [`MAX_EXPANDED_SIZE`]).
    expanded: usize,
}

impl ManifestSet {
    /// Reads one input: YAML (several documents separated by `---`) or JSON
    /// (one object, several one after another, or a `kind: List`).
    ///
    /// # Errors
    ///
    /// [`ManifestError::Syntax`] for input that is neither (with line and
    /// column); [`ManifestError::Field`] for a document that is not a
    /// mapping or whose `items` is not a list; [`ManifestError::TooLarge`];
    /// [`ManifestError::ExpansionTooLarge`] when the documents, aliases
    /// expanded, would hold more than [`MAX_EXPANDED_SIZE`].
    pub fn parse(source_name: &str, text: &str) -> Result<ManifestSet, ManifestError> {
        let mut set = ManifestSet::default();
        set.add(source_name, text)?;
        Ok(set)
    }

    /// Adds another input (see [`ManifestSet::parse`]). The inputs of one
    /// set share one [`MAX_EXPANDED_SIZE`] budget.
    ///
    /// # Errors
    ///
    /// As [`ManifestSet::parse`].
    pub fn add(&mut self, source_name: &str, text: &str) -> Result<(), ManifestError> {
        if text.len() > MAX_MANIFEST_BYTES {
            return Err(ManifestError::TooLarge {
                source_name: source_name.into(),
                what: format!(
                    "{} bytes, over the limit of {MAX_MANIFEST_BYTES}",
                    text.len()
                ),
            });
        }
        let meter = Meter::new(self.expanded);
        let mut invalid_json = None;
        let values: Vec<Value> = if text.trim_start().starts_with(['{', '[']) {
            // One JSON value, or several one after another (as kubectl
            // accepts them).
            match read_json(source_name, text, &meter) {
                Ok(v) => v,
                Err(JsonError::Budget(e)) => return Err(e),
                Err(JsonError::Syntax(e)) => {
                    let (line, column) = (e.line(), e.column());
                    invalid_json = Some((line, column, e.to_string()));
                    // A JSON look-alike that YAML accepts (e.g. with a `#`
                    // comment): read it, and report the JSON error as a
                    // finding.
                    meter.used.set(self.expanded);
                    match read_yaml(source_name, text, &meter) {
                        Ok(v) => v,
                        Err(budget @ ManifestError::ExpansionTooLarge { .. }) => {
                            return Err(budget);
                        }
                        Err(_) => {
                            return Err(ManifestError::Syntax {
                                source_name: source_name.into(),
                                document: 1,
                                line: Some(line as u64),
                                column: Some(column as u64),
                                message: e.to_string(),
                            });
                        }
                    }
                }
            }
        } else {
            read_yaml(source_name, text, &meter)?
        };
        self.expanded = meter.used.get();
        let mut index = 0;
        for v in values {
            index += 1;
            if v.is_null() {
                continue; // an empty document
            }
            let Value::Object(mut map) = v else {
                return Err(ManifestError::Field {
                    source_name: source_name.into(),
                    document: index,
                    object: "?".into(),
                    path: "(document)".into(),
                    problem: format!("must be a mapping (an object), not {}", type_name(&v)),
                });
            };
            if map
                .get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k.ends_with("List"))
            {
                let items = match map.remove("items") {
                    Some(Value::Array(a)) => a,
                    Some(Value::Null) | None => Vec::new(),
                    Some(other) => {
                        return Err(ManifestError::Field {
                            source_name: source_name.into(),
                            document: index,
                            object: "List".into(),
                            path: "items".into(),
                            problem: format!("must be a list, not {}", type_name(&other)),
                        });
                    }
                };
                for item in items {
                    self.push(source_name, index, item, None)?;
                }
            } else {
                self.push(source_name, index, Value::Object(map), invalid_json.clone())?;
            }
        }
        Ok(())
    }

    fn push(
        &mut self,
        source: &str,
        index: usize,
        value: Value,
        invalid_json: Option<(usize, usize, String)>,
    ) -> Result<(), ManifestError> {
        if self.docs.len() >= MAX_DOCUMENTS {
            return Err(ManifestError::TooLarge {
                source_name: source.into(),
                what: format!("more than {MAX_DOCUMENTS} documents"),
            });
        }
        if !value.is_object() {
            return Err(ManifestError::Field {
                source_name: source.into(),
                document: index,
                object: "List".into(),
                path: "items[]".into(),
                problem: format!("must be a mapping (an object), not {}", type_name(&value)),
            });
        }
        self.docs.push(Document {
            source: source.into(),
            index,
            value,
            invalid_json,
        });
        Ok(())
    }

    /// The documents.
    pub fn documents(&self) -> &[Document] {
        &self.docs
    }

    /// The size of everything read into this set, every YAML alias
    /// expanded where it is used: one for every value, plus the bytes of
    /// every string and mapping key (empty documents and `kind: List`
    /// wrappers included). At most [`MAX_EXPANDED_SIZE`].
    pub fn expanded_size(&self) -> usize {
        self.expanded
    }
}

/// The set's [`MAX_EXPANDED_SIZE`] budget while one input is read: what
/// the documents built so far take, and whether a document went over.
struct Meter {
    used: Cell<usize>,
    over: Cell<bool>,
}

impl Meter {
    fn new(used: usize) -> Meter {
        Meter {
            used: Cell::new(used),
            over: Cell::new(false),
        }
    }

    /// Takes `n` from the budget, or marks it exceeded (`false`).
    fn charge(&self, n: usize) -> bool {
        match self.used.get().checked_add(n) {
            Some(u) if u <= MAX_EXPANDED_SIZE => {
                self.used.set(u);
                true
            }
            _ => {
                self.over.set(true);
                false
            }
        }
    }

    /// Charges `n`, or fails the deserializer with an error that
    /// `read_yaml` turns into [`ManifestError::ExpansionTooLarge`].
    fn take<E: serde::de::Error>(&self, n: usize) -> Result<(), E> {
        if self.charge(n) {
            Ok(())
        } else {
            Err(E::custom("alias expansion budget exceeded"))
        }
    }
}

/// Builds a [`Value`] exactly as `Value::deserialize` does, charging every
/// value and key to the [`Meter`] before it is built: an alias replayed
/// thousands of times is counted each time, and the build stops at the
/// budget instead of allocating what the aliases expand to.
#[derive(Clone, Copy)]
struct Build<'m>(&'m Meter);

impl<'de> DeserializeSeed<'de> for Build<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Build<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.0.take(1)?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.0.take(1)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.0.take(1)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        self.0.take(1)?;
        serde_json::Number::deserialize(serde::de::value::I128Deserializer::new(v))
            .map(Value::Number)
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        self.0.take(1)?;
        serde_json::Number::deserialize(serde::de::value::U128Deserializer::new(v))
            .map(Value::Number)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.0.take(1)?;
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.0.take(1 + v.len())?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        self.0.take(1 + v.len())?;
        Ok(Value::String(v))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.0.take(1)?;
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.0.take(1)?;
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.0.take(1)?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.0.take(1)?;
        let mut out = Map::new();
        while let Some(k) = map.next_key_seed(Key(self.0))? {
            let v = map.next_value_seed(self)?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

/// A mapping key, read as `Value::deserialize` reads one (a string), and
/// charged its bytes (its value is charged as a value).
#[derive(Clone, Copy)]
struct Key<'m>(&'m Meter);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        self.0.take(v.len())?;
        Ok(v.to_owned())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
        self.0.take(v.len())?;
        Ok(v)
    }
}

/// What [`Build`] charges for `v`, for values read without it (JSON, which
/// has no aliases): one per value, plus the bytes of every string and key.
fn size_of(v: &Value) -> usize {
    let mut total = 0usize;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total = total.saturating_add(1);
        match v {
            Value::String(s) => total = total.saturating_add(s.len()),
            Value::Array(a) => stack.extend(a),
            Value::Object(m) => {
                for (k, v) in m {
                    total = total.saturating_add(k.len());
                    stack.push(v);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    total
}

enum JsonError {
    Syntax(serde_json::Error),
    Budget(ManifestError),
}

/// One JSON value or several one after another, each charged to `meter`
/// as it is read.
fn read_json(source_name: &str, text: &str, meter: &Meter) -> Result<Vec<Value>, JsonError> {
    let mut out = Vec::new();
    let stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    for (n, v) in stream.enumerate() {
        let v = v.map_err(JsonError::Syntax)?;
        if !meter.charge(size_of(&v)) {
            return Err(JsonError::Budget(ManifestError::ExpansionTooLarge {
                source_name: source_name.into(),
                document: n + 1,
                limit: MAX_EXPANDED_SIZE,
            }));
        }
        out.push(v);
    }
    Ok(out)
}

/// Splits YAML text into documents at `---` markers (a document marker
/// stands at column 0, where content never does) and `...` ends; keeps each
/// document's first line number.
fn split_documents(text: &str) -> Vec<(usize, String)> {
    let mut docs: Vec<(usize, String)> = Vec::new();
    let mut cur = String::new();
    let mut start = 1;
    let mut explicit = false;
    // Directives (`%YAML 1.2`, `%TAG ...`) before a `---` belong to the
    // document that marker starts: kept here, with their first line.
    let mut directives = String::new();
    let mut directives_start = 0;
    let no_content = |s: &str| {
        s.lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    };
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        if body.starts_with('%') && !explicit && no_content(&cur) {
            if directives.is_empty() {
                directives_start = i + 1;
            }
            directives.push_str(line);
            continue;
        }
        let is_marker = |m: &str| {
            body == m
                || body
                    .strip_prefix(m)
                    .is_some_and(|r| r.starts_with([' ', '\t']))
        };
        if is_marker("---") {
            if explicit || !cur.trim().is_empty() {
                docs.push((start, std::mem::take(&mut cur)));
            }
            cur.clear();
            explicit = true;
            if directives.is_empty() {
                start = i + 1;
                // Content after the marker stays, at its column.
                cur.push_str("   ");
                cur.push_str(&line[3..]);
            } else {
                // The directives, then the marker itself, which they need.
                start = directives_start;
                cur.push_str(&std::mem::take(&mut directives));
                cur.push_str(line);
            }
        } else if is_marker("...") {
            docs.push((start, std::mem::take(&mut cur)));
            explicit = false;
            start = i + 2;
        } else {
            cur.push_str(line);
        }
    }
    // Directives with no `---` after them: left for the parser to report.
    cur.push_str(&directives);
    if explicit || !cur.trim().is_empty() {
        docs.push((start, cur));
    }
    docs
}

fn read_yaml(source_name: &str, text: &str, meter: &Meter) -> Result<Vec<Value>, ManifestError> {
    let mut out = Vec::new();
    for (n, (first_line, doc)) in split_documents(text).into_iter().enumerate() {
        // Blank and comment-only documents are null documents.
        let empty = doc
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        if empty {
            if !meter.charge(1) {
                return Err(ManifestError::ExpansionTooLarge {
                    source_name: source_name.into(),
                    document: n + 1,
                    limit: MAX_EXPANDED_SIZE,
                });
            }
            out.push(Value::Null);
            continue;
        }
        // Each document is read on its own (padding it to keep line numbers
        // would make a long stream quadratic); error lines are shifted back
        // to the input's.
        let offset = first_line.saturating_sub(1) as u64;
        let v = serde_saphyr::with_deserializer_from_str(&doc, |de| Build(meter).deserialize(de));
        let v = v.map_err(|e| {
            if meter.over.get() {
                return ManifestError::ExpansionTooLarge {
                    source_name: source_name.into(),
                    document: n + 1,
                    limit: MAX_EXPANDED_SIZE,
                };
            }
            let loc = e.location();
            ManifestError::Syntax {
                source_name: source_name.into(),
                document: n + 1,
                line: loc.map(|l| l.line() + offset),
                column: loc.map(|l| l.column()),
                message: e.to_string().lines().next().unwrap_or("").to_string(),
            }
        })?;
        out.push(v);
    }
    Ok(out)
}

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
