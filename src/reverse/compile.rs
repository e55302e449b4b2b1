//! The elements a pattern compiles to: literal runs and fields, each field
//! with the grammar of the values the kernel writes for it; the shapes that
//! choose the strategy, and [`Matcher::new`].

use super::{MatchError, MatchOptions, Matcher, Strategy, Target};
use crate::expand::Settings;
use crate::feature::Feature;
use crate::kernel::KernelProfile;
use crate::limits::{COMM_MAX, HOSTNAME_MAX, NAME_MAX, PATH_MAX};
use crate::parse::{Mode, Pattern, TokenKind};
use crate::spec::Specifier;

// ---------------------------------------------------------------------------
// Field grammar

/// The bytes a numeric field can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Numeric {
    pub(super) max_digits: usize,
    pub(super) min: i128,
    pub(super) max: i128,
    pub(super) signed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    Numeric(Numeric),
    /// Escaped text: no `/`, no NUL, `min..=max` bytes, never exactly `.`
    /// or `..` when `no_dots`.
    Text {
        min: usize,
        max: usize,
        no_dots: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct FieldElem {
    pub(super) spec: Specifier,
    pub(super) class: Class,
    /// Index of the first element with the same specifier (itself when first).
    pub(super) first: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Elem {
    Lit(Vec<u8>),
    Field(FieldElem),
}

fn class_of(spec: Specifier, kernel: &KernelProfile, file: bool) -> Class {
    let num = |max_digits, min, max| {
        Class::Numeric(Numeric {
            max_digits,
            min,
            max,
            signed: false,
        })
    };
    let dots = kernel.has(Feature::EscapeDotNames);
    // In a file name no component can pass NAME_MAX: the kernel writes no
    // core then.
    let cap = if file { NAME_MAX } else { usize::MAX };
    let text = |max: usize| Class::Text {
        min: usize::from(dots),
        max: max.min(cap),
        no_dots: dots,
    };
    match spec {
        // PID_MAX_LIMIT is 4194304.
        Specifier::Pid | Specifier::GlobalPid | Specifier::Tid | Specifier::GlobalTid => {
            num(7, 1, 4_194_304)
        }
        Specifier::Uid | Specifier::Gid | Specifier::Cpu => num(10, 0, u32::MAX.into()),
        Specifier::Dumpable => num(1, 0, 2),
        Specifier::Signal => num(2, 1, 64),
        Specifier::CoreLimit => num(20, 0, kernel.rlim_infinity().into()),
        Specifier::Time => Class::Numeric(Numeric {
            max_digits: 19,
            min: i64::MIN.into(),
            max: i64::MAX.into(),
            signed: true,
        }),
        Specifier::Comm => text(COMM_MAX),
        Specifier::Hostname => text(HOSTNAME_MAX),
        Specifier::ExePath => text(PATH_MAX - 1),
        Specifier::ExeName => text(NAME_MAX + " (deleted)".len()),
        // Handled as literals by the compiler.
        Specifier::Percent | Specifier::Pidfd => text(0),
    }
}

/// The value of `b` (a candidate value, no leading/trailing context) when
/// it is one of `n`: an optional sign, 1 to `max_digits` digits without a
/// leading zero (no `-0`), in range.
pub(super) fn numeric_value(n: &Numeric, b: &[u8]) -> Option<i128> {
    let (neg, digits) = match b {
        [b'-', rest @ ..] if n.signed => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > n.max_digits || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    // Every range fits a u64 magnitude; a longer number is out of range.
    let mut v: u64 = 0;
    for &d in digits {
        let x = d.wrapping_sub(b'0');
        if x > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(x))?;
    }
    if neg && v == 0 {
        return None;
    }
    let v = if neg { -i128::from(v) } else { i128::from(v) };
    (n.min..=n.max).contains(&v).then_some(v)
}

pub(super) fn text_byte_ok(b: u8) -> bool {
    b != b'/' && b != 0
}

/// Whether a text value of these bytes is excluded as exactly `.` or `..`.
pub(super) fn dots_excluded(no_dots: bool, b: &[u8]) -> bool {
    no_dots && (b == b"." || b == b"..")
}

/// The separator element of the split-after-expand mode.
pub(super) fn is_sep(e: &Elem) -> bool {
    matches!(e, Elem::Lit(l) if l == b" ")
}

// ---------------------------------------------------------------------------
// Compiling a pattern

impl Matcher {
    /// See [`Pattern::matcher`].
    ///
    /// # Errors
    ///
    /// As [`Pattern::matcher`].
    pub fn new(
        p: &Pattern,
        settings: &Settings,
        opts: MatchOptions,
    ) -> Result<Matcher, MatchError> {
        let mode = p.mode();
        let target = match (mode, opts.target) {
            (Mode::Socket | Mode::SocketRequest, _) => return Err(MatchError::NoFields { mode }),
            (Mode::Pipe, None | Some(Target::Argv)) => Target::Argv,
            (Mode::File, None) => Target::Path,
            (Mode::File, Some(t @ (Target::Path | Target::Component))) => t,
            (_, Some(t)) => return Err(MatchError::WrongTarget { target: t, mode }),
        };
        let kernel = *p.kernel();
        let mut b = Builder {
            file: mode == Mode::File,
            presplit: mode == Mode::Pipe && !kernel.has(Feature::PipeSplitBeforeExpand),
            ..Builder::default()
        };
        let split = kernel.has(Feature::PipeSplitBeforeExpand);
        // For a component target, start after the last literal `/`.
        let mut skip_to = 0;
        if target == Target::Component {
            for (i, t) in p.tokens().iter().enumerate() {
                if t.kind == TokenKind::Literal
                    && let Some(j) = p.token_bytes(t).iter().rposition(|&c| c == b'/')
                {
                    skip_to = i;
                    b.component_offset = j + 1;
                }
            }
        }
        if target == Target::Argv && !split {
            for t in p.tokens() {
                match t.kind {
                    TokenKind::ModePrefix => {}
                    TokenKind::TrailingPercent => break,
                    TokenKind::Literal => b.presplit_lit(p.token_bytes(t)),
                    TokenKind::Space => b.sep(),
                    _ => b.token(p, t, mode, &kernel, split),
                }
            }
        } else if target == Target::Argv {
            let args = p.pipe_arguments();
            for (ai, arg) in args.iter().enumerate() {
                if ai > 0 {
                    b.lit(if split { b"\0" } else { b" " });
                }
                for t in arg.iter() {
                    b.token(p, t, mode, &kernel, split);
                }
            }
        } else {
            for (i, t) in p.tokens().iter().enumerate().skip(skip_to) {
                if i == skip_to && target == Target::Component && t.kind == TokenKind::Literal {
                    let bytes = p.token_bytes(t);
                    b.lit(&bytes[b.component_offset..]);
                    continue;
                }
                if t.kind == TokenKind::TrailingPercent {
                    break;
                }
                b.token(p, t, mode, &kernel, split);
            }
            if settings.core_uses_pid && !p.uses(Specifier::Pid) {
                b.lit(b".");
                b.field(Specifier::Pid, &kernel);
            }
        }
        let elems = b.elems;
        let fields: Vec<&FieldElem> = elems
            .iter()
            .filter_map(|e| match e {
                Elem::Field(f) => Some(f),
                Elem::Lit(_) => None,
            })
            .collect();
        let repeats = elems
            .iter()
            .enumerate()
            .any(|(i, e)| matches!(e, Elem::Field(f) if f.first != i));
        let strategy = if target == Target::Argv && !split {
            Strategy::SplitAfterExpand
        } else if fields.is_empty() {
            Strategy::Literal
        } else if repeats {
            Strategy::Backreference
        } else if anchored(&elems) {
            Strategy::Anchored
        } else {
            Strategy::General
        };
        let one_text = match strategy {
            Strategy::General => one_text_field(&elems),
            _ => None,
        };
        Ok(Matcher {
            elems: elems.into(),
            one_text,
            plan: None,
            strategy,
            target,
            kernel,
            budget: opts.budget,
        }
        .planned())
    }
}

#[derive(Default)]
struct Builder {
    elems: Vec<Elem>,
    component_offset: usize,
    /// File mode: text fields are capped at NAME_MAX.
    file: bool,
    /// Split-after-expand mode: `Lit(" ")` is a separator, never merged.
    presplit: bool,
}

impl Builder {
    fn lit(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if let Some(Elem::Lit(l)) = self.elems.last_mut()
            && !(self.presplit && l == b" ")
        {
            l.extend_from_slice(bytes);
        } else {
            self.elems.push(Elem::Lit(bytes.to_vec()));
        }
    }

    /// Split-after-expand mode: a whitespace run (merged with a previous one).
    fn sep(&mut self) {
        if !self.elems.last().is_some_and(is_sep) {
            self.elems.push(Elem::Lit(b" ".to_vec()));
        }
    }

    /// Split-after-expand mode: literal bytes, whitespace runs as separators.
    fn presplit_lit(&mut self, bytes: &[u8]) {
        for (i, chunk) in bytes
            .split(|&b| crate::parse::is_kernel_space(b))
            .enumerate()
        {
            if i > 0 {
                self.sep();
            }
            self.lit(chunk);
        }
    }

    fn field(&mut self, spec: Specifier, kernel: &KernelProfile) {
        let file = self.file;
        let me = self.elems.len();
        let first = self
            .elems
            .iter()
            .position(|e| matches!(e, Elem::Field(f) if f.spec == spec))
            .unwrap_or(me);
        self.elems.push(Elem::Field(FieldElem {
            spec,
            class: class_of(spec, kernel, file),
            first,
        }));
    }

    fn token(
        &mut self,
        p: &Pattern,
        t: &crate::parse::Token,
        mode: Mode,
        kernel: &KernelProfile,
        split: bool,
    ) {
        match t.kind {
            TokenKind::Literal => self.lit(p.token_bytes(t)),
            TokenKind::Space if !split => self.lit(b" "),
            TokenKind::Spec(Specifier::Percent) => self.lit(b"%"),
            TokenKind::Spec(Specifier::Pidfd) if mode == Mode::Pipe => self.lit(b"3"),
            TokenKind::Spec(Specifier::Pidfd) => {}
            TokenKind::Spec(s) => self.field(s, kernel),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Shapes

/// Every numeric field is followed by a literal starting with a non-digit
/// (and not `-` for a signed one), or ends the pattern; no text fields.
pub(super) fn anchored(elems: &[Elem]) -> bool {
    elems.iter().enumerate().all(|(i, e)| match e {
        Elem::Lit(_) => true,
        Elem::Field(f) => match f.class {
            Class::Text { .. } => false,
            Class::Numeric(_) => match elems.get(i + 1) {
                None => true,
                Some(Elem::Lit(l)) => !l[0].is_ascii_digit(),
                Some(Elem::Field(_)) => false,
            },
        },
    })
}

/// The shape most patterns have: literals and numeric fields, one text
/// field, literals and numeric fields, with no specifier repeated. Returns
/// the text field's index.
fn one_text_field(elems: &[Elem]) -> Option<usize> {
    let mut text = None;
    for (i, e) in elems.iter().enumerate() {
        if let Elem::Field(f) = e {
            if f.first != i {
                return None;
            }
            if matches!(f.class, Class::Text { .. }) {
                if text.is_some() {
                    return None;
                }
                text = Some(i);
            }
        }
    }
    text
}
