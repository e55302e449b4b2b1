//! Text for a terminal: bytes shown with their control and non-UTF-8 bytes
//! escaped, output made safe to print, a pattern written back as a shell
//! word. Shared with the `match_listing` fuzz target.

/// Human-readable bytes: printable UTF-8 as it is, every other byte (a
/// control character's, or one that is not UTF-8) as `\xNN`.
pub(crate) fn show(b: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                for x in c.encode_utf8(&mut [0; 4]).bytes() {
                    let _ = write!(s, "\\x{x:02x}");
                }
            } else {
                s.push(c);
            }
        }
        for x in chunk.invalid() {
            let _ = write!(s, "\\x{x:02x}");
        }
    }
    s
}

/// `text` safe for a terminal: every control character but the newline
/// (an ESC from a manifest, a process name, a file name) shown as `\xNN`.
pub(crate) fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.into();
    }
    use std::fmt::Write as _;
    let mut s = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            let _ = write!(s, "\\x{:02x}", c as u32);
        } else {
            s.push(c);
        }
    }
    s.into()
}

/// Bytes as lower-case hex, two digits a byte (what `--hex` reads).
pub(crate) fn hex(b: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// The bytes a `--hex` argument spells: pairs of hex digits (either case).
pub(crate) fn unhex(s: &std::ffi::OsStr) -> Result<Vec<u8>, String> {
    use std::os::unix::ffi::OsStrExt;
    let b = s.as_bytes();
    let digit = |i: usize| -> Result<u8, String> {
        let c = b[i];
        (c as char).to_digit(16).map(|d| d as u8).ok_or_else(|| {
            format!(
                "invalid --hex PATTERN {:?}: {:?} at byte {i} is not a hex digit (write the pattern's bytes as pairs of 0-9a-f, e.g. 636f7265ff for core\\xff)",
                show(b),
                show(&b[i..=i])
            )
        })
    };
    if !b.len().is_multiple_of(2) {
        return Err(format!(
            "invalid --hex PATTERN {:?}: {} hex digits, an odd number (two digits make one byte)",
            show(b),
            b.len()
        ));
    }
    (0..b.len())
        .step_by(2)
        .map(|i| Ok(digit(i)? << 4 | digit(i + 1)?))
        .collect()
}

/// The pattern as shell arguments to paste: in single quotes when it is
/// printable UTF-8 (after `--` when it starts with `-`), else as
/// `--hex HEX`.
pub(crate) fn pattern_word(p: &[u8]) -> String {
    match std::str::from_utf8(p) {
        Ok(s) if !s.chars().any(char::is_control) => format!(
            "{}'{}'",
            if s.starts_with('-') { "-- " } else { "" },
            s.replace('\'', "'\\''")
        ),
        _ => format!("--hex {}", hex(p)),
    }
}
