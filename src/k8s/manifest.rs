//! Reading manifests: JSON, multi-document YAML and `kind: List` inputs
//! into a [`ManifestSet`] of [`Document`]s, within [`MAX_MANIFEST_BYTES`]
//! and [`MAX_DOCUMENTS`].

use serde_json::Value;

/// The most bytes one manifest input may have (16 MiB).
pub const MAX_MANIFEST_BYTES: usize = 16 << 20;
/// The most documents one input may hold (after `kind: List` expansion).
pub const MAX_DOCUMENTS: usize = 100_000;

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
            ManifestError::TooLarge { .. } => 402,
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
}

impl ManifestSet {
    /// Reads one input: YAML (several documents separated by `---`) or JSON
    /// (one object, or a `kind: List`).
    ///
    /// # Errors
    ///
    /// [`ManifestError::Syntax`] for input that is neither (with line and
    /// column); [`ManifestError::Field`] for a document that is not a
    /// mapping or whose `items` is not a list; [`ManifestError::TooLarge`].
    pub fn parse(source_name: &str, text: &str) -> Result<ManifestSet, ManifestError> {
        let mut set = ManifestSet::default();
        set.add(source_name, text)?;
        Ok(set)
    }

    /// Adds another input (see [`ManifestSet::parse`]).
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
        let mut invalid_json = None;
        let values: Vec<Value> = if text.trim_start().starts_with(['{', '[']) {
            // One JSON value, or several one after another (as kubectl
            // accepts them).
            let stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
            match stream.collect::<Result<Vec<Value>, _>>() {
                Ok(v) => v,
                Err(e) => {
                    let (line, column) = (e.line(), e.column());
                    invalid_json = Some((line, column, e.to_string()));
                    // A JSON look-alike that YAML accepts (e.g. with a `#`
                    // comment): read it, and report the JSON error as a
                    // finding.
                    match read_yaml(source_name, text) {
                        Ok(v) => v,
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
            read_yaml(source_name, text)?
        };
        let mut index = 0;
        for v in values {
            index += 1;
            if v.is_null() {
                continue; // an empty document
            }
            let Value::Object(_) = &v else {
                return Err(ManifestError::Field {
                    source_name: source_name.into(),
                    document: index,
                    object: "?".into(),
                    path: "(document)".into(),
                    problem: format!("must be a mapping (an object), not {}", type_name(&v)),
                });
            };
            if v.get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k.ends_with("List"))
            {
                let items = match v.get("items") {
                    Some(Value::Array(a)) => a.clone(),
                    Some(Value::Null) | None => Vec::new(),
                    Some(other) => {
                        return Err(ManifestError::Field {
                            source_name: source_name.into(),
                            document: index,
                            object: "List".into(),
                            path: "items".into(),
                            problem: format!("must be a list, not {}", type_name(other)),
                        });
                    }
                };
                for item in items {
                    self.push(source_name, index, item, None)?;
                }
            } else {
                self.push(source_name, index, v, invalid_json.clone())?;
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

fn read_yaml(source_name: &str, text: &str) -> Result<Vec<Value>, ManifestError> {
    let mut out = Vec::new();
    for (n, (first_line, doc)) in split_documents(text).into_iter().enumerate() {
        // Blank and comment-only documents are null documents.
        let empty = doc
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        if empty {
            out.push(Value::Null);
            continue;
        }
        // Each document is read on its own (padding it to keep line numbers
        // would make a long stream quadratic); error lines are shifted back
        // to the input's.
        let offset = first_line.saturating_sub(1) as u64;
        let v = serde_saphyr::from_str::<Value>(&doc).map_err(|e| {
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
