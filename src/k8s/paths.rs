//! Paths as the kernel resolves them: lexical normalisation, whether a
//! mount covers a directory, and the directory a file pattern writes into.

use crate::parse::TokenKind;
use crate::spec::Specifier;

/// Normalises an absolute path lexically as the kernel resolves it: `//`,
/// `.` and `..` resolved (`/..` is `/`), no trailing slash (except `/`).
/// `None` for a relative path.
pub fn normalize_path(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Whether `dir` is `mount` or below it (both normalised).
pub(super) fn covers(mount: &str, dir: &str) -> bool {
    mount == "/" || dir == mount || dir.strip_prefix(mount).is_some_and(|r| r.starts_with('/'))
}

/// The directory of an absolute file pattern as the kernel expands it
/// (normalised), or the first specifier that stands in it.
pub(super) fn pattern_directory(p: &crate::parse::Pattern) -> Result<String, String> {
    let mut dir_end = 0;
    for tok in p.tokens() {
        if tok.kind == TokenKind::Literal
            && let Some(i) = p.token_bytes(tok).iter().rposition(|&b| b == b'/')
        {
            dir_end = tok.span.start as usize + i;
        }
    }
    if let Some(tok) = p.tokens().iter().find(|tok| {
        (tok.span.start as usize) < dir_end
            && matches!(tok.kind, TokenKind::Spec(s) if s != Specifier::Percent)
    }) {
        return Err(String::from_utf8_lossy(p.token_bytes(tok)).into_owned());
    }
    Ok(normalize_path(&directory_text(p, dir_end)).unwrap_or_else(|| "/".into()))
}

/// The directory as the kernel expands it: literal bytes and `%%` up to
/// `dir_end` (unknown specifiers vanish).
fn directory_text(p: &crate::parse::Pattern, dir_end: usize) -> String {
    if dir_end == 0 {
        return "/".into();
    }
    let mut out = Vec::new();
    for tok in p.tokens() {
        let start = tok.span.start as usize;
        if start >= dir_end {
            break;
        }
        match tok.kind {
            TokenKind::Literal => {
                let b = p.token_bytes(tok);
                let take = (dir_end - start).min(b.len());
                out.extend_from_slice(&b[..take]);
            }
            TokenKind::Spec(Specifier::Percent) => out.push(b'%'),
            _ => {}
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
