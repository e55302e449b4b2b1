//! The source tree's shape, checked: dependencies between modules run one
//! way (no import cycle between the crate's top-level modules, nor between
//! the files of one module folder), and no source file grows past 1,000
//! lines without saying why at its top.
//!
//! Dependencies are read from the code (comments are skipped): a path
//! `crate::a::...` is an edge to module `a`, and in a folder
//! `super::b...` is an edge to the sibling file `b.rs` (or `b/`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Longest file allowed without a reason written at its top.
const MAX_LINES: usize = 1000;
/// What the reason starts with, in the file's first lines.
const REASON: &str = "This file is long because";

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `src/k8s/check/pattern.rs` -> `["k8s", "check", "pattern"]`;
/// `src/k8s/mod.rs` -> `["k8s"]`; `src/lib.rs` -> `[]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

/// The code of a file without comments (line comments, doc comments and
/// block comments) and without string literals' contents.
fn code_of(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'\'' && (b.get(i + 2) == Some(&b'\'') || b.get(i + 1) == Some(&b'\\')) {
            // A character literal ('"', '\'', '\n', '\x7f'); a lifetime has no
            // closing quote.
            let end = b[i + 1..]
                .iter()
                .skip(1)
                .position(|&c| c == b'\'')
                .unwrap_or(0);
            i += end + 3;
        } else if b[i] == b'r'
            && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
            && !(i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            // A raw string r"..." or r#"..."#.
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let start = i + 2 + hashes;
            let end = b[start..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |p| start + p + close.len());
            out.push_str("\"\"");
            i = end;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// Every identifier path starting with `root` (`crate` or `super`), as its
/// segments after the root; `use crate::{a, b::c}` gives `a` and `b`.
fn paths_from(code: &str, root: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let pat = format!("{root}::");
    let mut rest = code;
    while let Some(pos) = rest.find(&pat) {
        let before = rest[..pos].chars().next_back();
        rest = &rest[pos + pat.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let ident = |s: &str| -> String {
            s.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        };
        if let Some(group) = rest.strip_prefix('{') {
            // A use tree: each item's first segment.
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let first = ident(item.trim());
                if !first.is_empty() {
                    out.push(vec![first]);
                }
            }
        } else {
            let mut segs = Vec::new();
            let mut s = rest;
            loop {
                let id = ident(s);
                if id.is_empty() {
                    break;
                }
                s = &s[id.len()..];
                segs.push(id);
                match s.strip_prefix("::") {
                    Some(t) => s = t,
                    None => break,
                }
            }
            if !segs.is_empty() {
                out.push(segs);
            }
        }
    }
    out
}

/// A cycle in `edges`, if there is one (depth-first search).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_owned(), 1);
        stack.push(n.to_owned());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()) {
                Some(1) => {
                    let at = stack.iter().position(|s| s == m).unwrap();
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(n.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if !state.contains_key(n.as_str())
            && let Some(c) = visit(n, edges, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

struct Tree {
    /// Module path -> its code.
    files: BTreeMap<Vec<String>, String>,
}

impl Tree {
    fn read() -> Tree {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut paths = Vec::new();
        rust_files(&src, &mut paths);
        let files = paths
            .iter()
            .map(|p| {
                (
                    module_path(&src, p),
                    code_of(&fs::read_to_string(p).unwrap()),
                )
            })
            .collect();
        Tree { files }
    }

    fn is_module(&self, path: &[String]) -> bool {
        self.files.contains_key(path)
    }
}

#[test]
fn top_level_modules_depend_one_way() {
    let tree = Tree::read();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &tree.files {
        let Some(from) = module.first() else { continue };
        for path in paths_from(code, "crate") {
            let to = &path[0];
            if to != from && tree.is_module(std::slice::from_ref(to)) {
                edges.entry(from.clone()).or_default().insert(to.clone());
            }
        }
    }
    assert!(edges.len() > 5, "the scan found the modules: {edges:?}");
    // The layering the crate docs describe, spot-checked.
    assert!(edges["expand"].contains("parse"));
    assert!(!edges["spec"].contains("kernel"));
    assert!(!edges.get("sysctl").is_some_and(|e| e.contains("expand")));
    if let Some(cycle) = find_cycle(&edges) {
        panic!("import cycle between modules: {}", cycle.join(" -> "));
    }
}

#[test]
fn files_of_a_module_folder_depend_one_way() {
    let tree = Tree::read();
    let mut folders = 0;
    for (parent, _) in tree.files.iter().filter(|(m, _)| {
        !m.is_empty()
            && tree
                .files
                .keys()
                .any(|k| k.len() == m.len() + 1 && k.starts_with(m))
    }) {
        folders += 1;
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, code) in &tree.files {
            if module.len() != parent.len() + 1 || !module.starts_with(parent) {
                continue;
            }
            let from = module.last().unwrap().clone();
            edges.entry(from.clone()).or_default();
            let mut targets = Vec::new();
            for path in paths_from(code, "super") {
                targets.push(path[0].clone());
            }
            for path in paths_from(code, "crate") {
                if path.len() > parent.len() && path.starts_with(parent) {
                    targets.push(path[parent.len()].clone());
                }
            }
            for to in targets {
                let mut sibling = parent.clone();
                sibling.push(to.clone());
                if to != from && tree.is_module(&sibling) {
                    edges.get_mut(&from).unwrap().insert(to);
                }
            }
        }
        if let Some(cycle) = find_cycle(&edges) {
            panic!(
                "import cycle between the files of src/{}/: {}",
                parent.join("/"),
                cycle.join(" -> ")
            );
        }
    }
    assert!(folders >= 6, "found {folders} module folders");
}

#[test]
fn no_source_file_is_long_without_a_reason() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let mut long = Vec::new();
    for p in paths {
        let text = fs::read_to_string(&p).unwrap();
        let lines = text.lines().count();
        let head: String = text.lines().take(12).collect::<Vec<_>>().join("\n");
        if lines > MAX_LINES && !head.contains(REASON) {
            long.push(format!("{} ({lines} lines)", p.display()));
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines with no \"{REASON} ...\" at the top: {long:?}"
    );
}

#[test]
fn the_scanner_sees_paths_and_skips_comments() {
    let code = code_of(
        "use crate::{a, b::c};\n// crate::x\n/* crate::y */ let s = \"crate::z\"; super::d::e();",
    );
    assert_eq!(
        paths_from(&code, "crate"),
        [vec!["a".to_owned()], vec!["b".to_owned()]]
    );
    assert_eq!(
        paths_from(&code, "super"),
        [vec!["d".to_owned(), "e".to_owned()]]
    );
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]
    .into();
    assert_eq!(find_cycle(&edges).unwrap(), ["a", "b", "a"]);
}
