//! Drawing a message with a caret line under a span, for people.

use crate::span::Span;
use core::fmt::Write as _;

/// Shows `bytes` on one line: printable ASCII as is, a few escapes, and
/// `\xNN` for everything else. Returns the text and, for each input byte, the
/// column where it starts (plus one entry for the end).
pub(crate) fn escape_line(bytes: &[u8]) -> (String, Vec<usize>) {
    let mut s = String::with_capacity(bytes.len());
    let mut cols = Vec::with_capacity(bytes.len() + 1);
    // The column (in characters) where the next character goes: counted as
    // the text grows, so the whole line costs O(n).
    let mut col = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let start = col;
            match c {
                '\n' => s.push_str("\\n"),
                '\t' => s.push_str("\\t"),
                '\r' => s.push_str("\\r"),
                '\0' => s.push_str("\\0"),
                c if c.is_control() => {
                    let _ = write!(s, "\\x{:02x}", c as u32);
                }
                c => s.push(c),
            }
            col += match c {
                '\n' | '\t' | '\r' | '\0' => 2,
                c if c.is_control() => 4,
                _ => 1,
            };
            for _ in 0..c.len_utf8() {
                cols.push(start);
            }
        }
        for b in chunk.invalid() {
            cols.push(col);
            let _ = write!(s, "\\x{b:02x}");
            col += 4;
        }
    }
    cols.push(col);
    (s, cols)
}

/// `severity[code]: message`, the input, a caret line under `span`, and help.
pub(crate) fn caret_block(
    severity: &str,
    code: &str,
    message: &str,
    input: &[u8],
    span: Span,
    help: &str,
) -> String {
    let (line, cols) = escape_line(input);
    let last = cols.len() - 1;
    let start = cols[(span.start as usize).min(last)];
    let end = cols[(span.end as usize).min(last)].max(start + 1);
    let mut out = String::new();
    let _ = writeln!(out, "{severity}[{code}]: {message}");
    let _ = writeln!(out, "  |");
    let _ = writeln!(out, "  | {line}");
    let _ = writeln!(out, "  | {}{}", " ".repeat(start), "^".repeat(end - start));
    if !help.is_empty() {
        let _ = writeln!(out, "  = help: {help}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_escaped_bytes() {
        let r = caret_block("error", "E101", "m", b"core\n.%p", Span::new(4, 5), "h");
        assert_eq!(
            r,
            "error[E101]: m\n  |\n  | core\\n.%p\n  |     ^^\n  = help: h\n"
        );
        let r = caret_block("error", "E1", "m", b"a\xffb", Span::new(1, 2), "");
        assert!(r.contains("  | a\\xffb\n  |  ^^^^\n"), "{r}");
    }

    #[test]
    fn columns_count_characters_as_shown() {
        // Every kind of character: plain, multi-byte, short escape, \xNN
        // for a control character and for an invalid byte.
        let (line, cols2) = escape_line(b"a\xc3\xa9\n\x1b\xffz");
        assert_eq!(line, "aé\\n\\x1b\\xffz");
        assert_eq!(cols2, [0, 1, 1, 2, 4, 8, 12, 13]);
        assert_eq!(line.chars().count(), 13);
    }
}
