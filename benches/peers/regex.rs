//! The regex peer: reverse matching the way crash collectors do it today.
//!
//! A collector that wants the PID or the executable back from a core file
//! name usually turns `kernel.core_pattern` into one regular expression and
//! runs it on every name it finds. This module builds that expression with
//! the `regex` crate (`regex::bytes::Regex`), as a reasonable, naive
//! collector would, and nothing more clever:
//!
//! - the expression is anchored, `^…$`, over the whole name (file mode), or
//!   over the helper's argv joined by single spaces (pipe mode; the pattern's
//!   arguments as the kernel splits them, joined the same way);
//! - literal bytes are escaped with [`regex::escape`] (bytes that are not
//!   UTF-8 as `(?-u:\xNN)`);
//! - numeric specifiers `%p %P %i %I %u %g %d %s %t %c %C %F` become
//!   `(?P<x>[0-9]+)`, where `x` is the specifier's letter: no range, no
//!   digit count, no sign (`%t` before 1970 is negative), and `%F` is
//!   numeric in every mode (the kernel writes nothing for it in file mode);
//! - text specifiers `%e %E %h %f` become `(?P<x>.+)`: greedy, with the
//!   regex crate's default `.` (any UTF-8 character but `\n`), no length
//!   bound (`%e` is at most 15 bytes, `%h` 64) and no exclusion of `/`;
//! - `%%` is a literal `%`; a `%` before a byte the collector does not know
//!   (`%x`), or a lone trailing `%`, is kept as literal text (string
//!   substitution of the known specifiers leaves them), although the kernel
//!   drops them;
//! - a specifier that repeats gets a fresh group (`p2`, `p3`, …; the regex
//!   crate has no backreferences) and only its first occurrence is reported;
//! - `kernel.core_uses_pid` is not modelled (the peer sees only the pattern).
//!
//! A collector that receives a helper's argv (it is the helper, or reads
//! it back) has a second natural choice, [`ArgvRegexPeer`]: one anchored
//! regex per argument, built the same way, and a plain comparison for an
//! argument with no specifier; no joining.
//!
//! It answers with one assignment or none: where several assignments explain
//! a name, the leftmost-first (greedy) semantics of the regex silently pick
//! one. It is compiled once and matched with [`Regex::captures`]; it is not
//! deliberately slow.
#![allow(dead_code)]

use core_pattern::{Mode, Pattern, Specifier, TokenKind};
use regex::bytes::Regex;

/// A collector's regex for one pattern.
#[derive(Clone, Debug)]
pub struct RegexPeer {
    re: Regex,
    /// For capture group `i + 1`: its specifier, and whether it is the
    /// specifier's first occurrence (the one reported).
    groups: Vec<(Specifier, bool)>,
    /// The specifiers reported, in pattern order, each once.
    fields: Vec<Specifier>,
    mode: Mode,
}

/// The group a specifier becomes, `None` for a literal.
fn class(spec: Specifier) -> Option<&'static str> {
    match spec {
        Specifier::Pid
        | Specifier::GlobalPid
        | Specifier::Tid
        | Specifier::GlobalTid
        | Specifier::Uid
        | Specifier::Gid
        | Specifier::Dumpable
        | Specifier::Signal
        | Specifier::Time
        | Specifier::CoreLimit
        | Specifier::Cpu
        | Specifier::Pidfd => Some("[0-9]+"),
        Specifier::Comm | Specifier::ExePath | Specifier::ExeName | Specifier::Hostname => {
            Some(".+")
        }
        _ => None,
    }
}

/// `regex::escape` for bytes: UTF-8 runs escaped, other bytes as `\xNN`.
fn escape_bytes(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.utf8_chunks() {
        out.push_str(&regex::escape(chunk.valid()));
        for b in chunk.invalid() {
            out.push_str(&format!("(?-u:\\x{b:02x})"));
        }
    }
}

impl RegexPeer {
    /// Builds the collector's regex for a file or pipe pattern.
    ///
    /// # Panics
    ///
    /// If the regex does not compile (it always does).
    pub fn new(p: &Pattern) -> RegexPeer {
        let mut re = String::from("^");
        let mut groups: Vec<(Specifier, bool)> = Vec::new();
        let mut fields = Vec::new();
        let mut token = |re: &mut String, kind: TokenKind, bytes: &[u8]| match kind {
            TokenKind::Literal | TokenKind::Space => escape_bytes(re, bytes),
            TokenKind::Unknown(_) | TokenKind::TrailingPercent => escape_bytes(re, bytes),
            TokenKind::Spec(Specifier::Percent) => re.push('%'),
            TokenKind::Spec(s) => match class(s) {
                Some(class) => {
                    let seen = groups.iter().filter(|(g, _)| *g == s).count();
                    let letter = s.byte() as char;
                    if seen == 0 {
                        re.push_str(&format!("(?P<{letter}>{class})"));
                        fields.push(s);
                    } else {
                        re.push_str(&format!("(?P<{letter}{}>{class})", seen + 1));
                    }
                    groups.push((s, seen == 0));
                }
                None => escape_bytes(re, bytes),
            },
            _ => {}
        };
        if p.mode() == Mode::Pipe {
            for (i, arg) in p.pipe_arguments().iter().enumerate() {
                if i > 0 {
                    re.push(' ');
                }
                for t in arg.iter() {
                    token(&mut re, t.kind, p.token_bytes(t));
                }
            }
        } else {
            for t in p.tokens() {
                if t.kind != TokenKind::ModePrefix {
                    token(&mut re, t.kind, p.token_bytes(t));
                }
            }
        }
        re.push('$');
        RegexPeer {
            re: Regex::new(&re).expect("the collector's regex compiles"),
            groups,
            fields,
            mode: p.mode(),
        }
    }

    /// The expression, as a collector would log it.
    pub fn as_str(&self) -> &str {
        self.re.as_str()
    }

    /// The specifiers it reports, in pattern order, each once.
    pub fn fields(&self) -> &[Specifier] {
        &self.fields
    }

    /// Matches a file name (or joined argv): the captured bytes of each
    /// reported specifier, borrowed from `name`.
    pub fn match_name_ref<'n>(&self, name: &'n [u8]) -> Option<Vec<(Specifier, &'n [u8])>> {
        let caps = self.re.captures(name)?;
        let mut out = Vec::with_capacity(self.fields.len());
        for (i, &(spec, first)) in self.groups.iter().enumerate() {
            if first && let Some(m) = caps.get(i + 1) {
                out.push((spec, m.as_bytes()));
            }
        }
        Some(out)
    }

    /// Matches a file name: the captured bytes of each reported specifier.
    pub fn match_name(&self, name: &[u8]) -> Option<Vec<(Specifier, Vec<u8>)>> {
        self.match_name_ref(name)
            .map(|v| v.into_iter().map(|(s, b)| (s, b.to_vec())).collect())
    }

    /// Matches a pipe helper's argv, joined by single spaces.
    pub fn match_argv(&self, argv: &[&[u8]]) -> Option<Vec<(Specifier, Vec<u8>)>> {
        debug_assert_eq!(self.mode, Mode::Pipe);
        let joined = argv.join(&b' ');
        self.match_name(&joined)
    }
}

/// A pipe collector's regexes, one per argument of the helper's argv (the
/// pattern's arguments as the kernel splits them): an argument without a
/// specifier is compared as bytes, any other is matched by an anchored
/// regex built as [`RegexPeer`] builds its one (same classes, same groups,
/// a repeated specifier reported at its first occurrence only).
#[derive(Clone, Debug)]
pub struct ArgvRegexPeer {
    args: Vec<ArgRe>,
    /// The specifiers reported, in pattern order, each once.
    fields: Vec<Specifier>,
}

#[derive(Clone, Debug)]
enum ArgRe {
    Literal(Vec<u8>),
    Regex {
        re: Regex,
        /// For capture group `i + 1`: its specifier, and whether it is the
        /// specifier's first occurrence in the whole pattern.
        groups: Vec<(Specifier, bool)>,
    },
}

impl ArgvRegexPeer {
    /// Builds the regexes for a pipe pattern.
    ///
    /// # Panics
    ///
    /// If `p` is not a pipe pattern, or a regex does not compile (it always
    /// does).
    pub fn new(p: &Pattern) -> ArgvRegexPeer {
        assert_eq!(p.mode(), Mode::Pipe, "argv regexes are for pipe patterns");
        let mut fields: Vec<Specifier> = Vec::new();
        let mut seen: Vec<Specifier> = Vec::new();
        let mut args = Vec::new();
        for arg in p.pipe_arguments() {
            let mut re = String::from("^");
            let mut literal = Vec::new();
            let mut groups = Vec::new();
            for t in arg.iter() {
                let bytes = p.token_bytes(t);
                match t.kind {
                    TokenKind::Spec(Specifier::Percent) => {
                        re.push('%');
                        literal.push(b'%');
                    }
                    TokenKind::Spec(s) if class(s).is_some() => {
                        let n = seen.iter().filter(|&&g| g == s).count();
                        let letter = s.byte() as char;
                        let class = class(s).unwrap_or_default();
                        if n == 0 {
                            re.push_str(&format!("(?P<{letter}>{class})"));
                            fields.push(s);
                        } else {
                            re.push_str(&format!("(?P<{letter}{}>{class})", n + 1));
                        }
                        seen.push(s);
                        groups.push((s, n == 0));
                    }
                    TokenKind::ModePrefix => {}
                    _ => {
                        escape_bytes(&mut re, bytes);
                        literal.extend_from_slice(bytes);
                    }
                }
            }
            re.push('$');
            args.push(if groups.is_empty() {
                ArgRe::Literal(literal)
            } else {
                ArgRe::Regex {
                    re: Regex::new(&re).expect("the collector's regex compiles"),
                    groups,
                }
            });
        }
        ArgvRegexPeer { args, fields }
    }

    /// The specifiers it reports, in pattern order, each once.
    pub fn fields(&self) -> &[Specifier] {
        &self.fields
    }

    /// Matches a helper's argv: the captured bytes of each reported
    /// specifier, borrowed from the arguments.
    pub fn match_argv_ref<'n>(&self, argv: &[&'n [u8]]) -> Option<Vec<(Specifier, &'n [u8])>> {
        if argv.len() != self.args.len() {
            return None;
        }
        let mut out = Vec::with_capacity(self.fields.len());
        for (arg, &bytes) in self.args.iter().zip(argv) {
            match arg {
                ArgRe::Literal(l) => {
                    if l.as_slice() != bytes {
                        return None;
                    }
                }
                ArgRe::Regex { re, groups } => {
                    let caps = re.captures(bytes)?;
                    for (i, &(spec, first)) in groups.iter().enumerate() {
                        if first && let Some(m) = caps.get(i + 1) {
                            out.push((spec, m.as_bytes()));
                        }
                    }
                }
            }
        }
        Some(out)
    }
}
