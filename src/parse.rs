//! Parsing a `core_pattern` value into a mode and tokens with byte spans.

use crate::feature::Feature;
use crate::kernel::KernelProfile;
use crate::span::Span;
use crate::spec::Specifier;
use core::fmt;
use core::str::FromStr;
use nom::Parser;
use nom::bytes::complete::{tag, take, take_till1, take_while1};
use nom::combinator::opt;

use crate::limits::MAX_PATTERN_LEN;

/// Whether the kernel's `isspace()` counts `b` as whitespace: `0x09`–`0x0D`,
/// `0x20` and, unlike the C locale, `0xA0` (the kernel's `_ctype` table is
/// Latin-1).
///
/// ```
/// assert!(core_pattern::is_kernel_space(0xA0));
/// assert!(!core_pattern::is_kernel_space(b'x'));
/// ```
pub const fn is_kernel_space(b: u8) -> bool {
    matches!(b, 0x09..=0x0D | 0x20 | 0xA0)
}

/// How the kernel hands over the core, decided by the first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// A file name (absolute, or relative to the crashing process's cwd).
    File,
    /// `|helper args…`: the core is piped to a user-mode helper.
    Pipe,
    /// `@/path` (6.16+): the core is written to an `AF_UNIX` socket.
    Socket,
    /// `@@/path` (6.17+): the socket protocol with a request/ack exchange.
    SocketRequest,
}

impl Mode {
    /// A stable lower-case name: `file`, `pipe`, `socket`, `socket-request`.
    pub const fn name(self) -> &'static str {
        match self {
            Mode::File => "file",
            Mode::Pipe => "pipe",
            Mode::Socket => "socket",
            Mode::SocketRequest => "socket-request",
        }
    }

    /// Length of the mode prefix (`|`, `@`, `@@`) in bytes.
    pub const fn prefix_len(self) -> usize {
        match self {
            Mode::File => 0,
            Mode::Pipe | Mode::Socket => 1,
            Mode::SocketRequest => 2,
        }
    }

    /// The mode `kernel` gives a pattern starting with `bytes`.
    ///
    /// Before 6.16 `@` is an ordinary relative file name; on 6.16 `@@/x` is
    /// socket mode with the (invalid) path `@/x`.
    pub const fn detect(bytes: &[u8], kernel: &KernelProfile) -> Mode {
        match bytes {
            [b'|', ..] => Mode::Pipe,
            [b'@', b'@', ..] if kernel.has(Feature::SocketRequestMode) => Mode::SocketRequest,
            [b'@', ..] if kernel.has(Feature::SocketMode) => Mode::Socket,
            _ => Mode::File,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// The mode prefix: `|`, `@` or `@@`.
    ModePrefix,
    /// Bytes copied as they are. In socket modes the whole path is one literal.
    Literal,
    /// A specifier this kernel knows (including `%%`).
    Spec(Specifier),
    /// `%` and a byte this kernel does not know: both bytes are dropped.
    /// The byte may be anything, including a space or half of a UTF-8
    /// sequence. [`Specifier::from_byte`] tells whether some other release
    /// knows it.
    Unknown(u8),
    /// A lone `%` at the end: dropped, and expansion stops there.
    TrailingPercent,
    /// Pipe mode: a run of kernel whitespace, which separates arguments
    /// (unless nothing has been produced yet).
    Space,
}

/// A token with the bytes it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// The bytes of the pattern it covers.
    pub span: Span,
}

/// A parsed `core_pattern` value, for one kernel.
///
/// Holds the original bytes, the [`Mode`] and the tokens, which cover every
/// byte in order. `Display` prints the pattern back: for a pattern that is
/// UTF-8, `Pattern::parse(p.to_string())` gives `p` again (other bytes are
/// shown as `\xNN`). [`as_bytes`](Pattern::as_bytes) is always exact.
///
/// ```
/// use core_pattern::{Mode, Pattern, Specifier, TokenKind};
/// let p = Pattern::parse("/data/dump-a/core-%E-%p-%t")?;
/// assert_eq!(p.mode(), Mode::File);
/// let specs: Vec<_> = p.specifiers().collect();
/// assert_eq!(specs, [Specifier::ExePath, Specifier::Pid, Specifier::Time]);
/// assert_eq!(p.tokens()[1].kind, TokenKind::Spec(Specifier::ExePath));
/// assert_eq!(p.tokens()[1].span.range(), 18..20);
/// assert_eq!(p.to_string(), "/data/dump-a/core-%E-%p-%t");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    bytes: Vec<u8>,
    mode: Mode,
    tokens: Vec<Token>,
    kernel: KernelProfile,
}

impl Pattern {
    /// Parses a value the kernel can store, for the newest kernel
    /// ([`KernelProfile::latest`]). Use [`ParseOptions`] for another kernel.
    ///
    /// # Errors
    ///
    /// - [`ParseErrorKind::TooLong`]: over 127 bytes (the kernel would cut it;
    ///   [`crate::stored_value`] tells what it keeps);
    /// - [`ParseErrorKind::Newline`] / [`ParseErrorKind::Nul`]: the kernel
    ///   stops storing at the first `\n` or NUL.
    ///
    /// ```
    /// use core_pattern::{ParseErrorKind, Pattern};
    /// let err = Pattern::parse("core\n.%p").unwrap_err();
    /// assert_eq!(err.kind(), &ParseErrorKind::Newline);
    /// assert_eq!(err.span().range(), 4..5);
    /// ```
    pub fn parse(bytes: impl AsRef<[u8]>) -> Result<Pattern, ParseError> {
        ParseOptions::new().parse(bytes)
    }

    /// The pattern's bytes, exactly as given.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The kernel the pattern was parsed for.
    pub fn kernel(&self) -> &KernelProfile {
        &self.kernel
    }

    /// The tokens, covering every byte in order.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The bytes a token covers.
    pub fn token_bytes(&self, t: &Token) -> &[u8] {
        self.bytes.get(t.span.range()).unwrap_or(&[])
    }

    /// The known specifiers, in order (including `%%`).
    pub fn specifiers(&self) -> impl Iterator<Item = Specifier> + '_ {
        self.tokens.iter().filter_map(|t| match t.kind {
            TokenKind::Spec(s) => Some(s),
            _ => None,
        })
    }

    /// Whether the pattern uses `spec` (as a specifier this kernel knows).
    pub fn uses(&self, spec: Specifier) -> bool {
        self.specifiers().any(|s| s == spec)
    }

    /// The bytes after the mode prefix: the file name template, the helper
    /// command line, or the socket path.
    pub fn body(&self) -> &[u8] {
        self.bytes.get(self.mode.prefix_len()..).unwrap_or(&[])
    }

    /// The socket path (socket modes only). `%` is never expanded in it.
    pub fn socket_path(&self) -> Option<&[u8]> {
        match self.mode {
            Mode::Socket | Mode::SocketRequest => Some(self.body()),
            _ => None,
        }
    }

    /// Pipe mode: the tokens of each argument as the kernel splits the
    /// pattern (5.3+: before expansion). An argument whose tokens all expand
    /// to nothing is still an argument; tokens before the first
    /// non-whitespace output join the first argument.
    pub fn pipe_arguments(&self) -> Vec<&[Token]> {
        let mut out = Vec::new();
        if self.mode != Mode::Pipe {
            return out;
        }
        let toks = &self.tokens[1.min(self.tokens.len())..];
        let mut start = 0;
        let mut produced = false;
        let mut pending = false;
        let mut end = toks.len();
        for (i, t) in toks.iter().enumerate() {
            if t.kind == TokenKind::Space {
                if produced {
                    pending = true;
                }
                continue;
            }
            if pending {
                out.push(trim_spaces(&toks[start..i]));
                start = i;
                pending = false;
            }
            produced |= self.token_yields_bytes(t);
            if t.kind == TokenKind::TrailingPercent {
                end = i + 1;
                break;
            }
        }
        let last = trim_spaces(&toks[start..end]);
        if !last.is_empty() {
            out.push(last);
        }
        out
    }

    /// Whether a token always writes at least one byte when expanded (in
    /// this pattern's mode). Escaped fields always do (an empty value becomes
    /// `!`); `%F` does only in pipe mode.
    pub(crate) fn token_yields_bytes(&self, t: &Token) -> bool {
        match t.kind {
            TokenKind::Literal => !t.span.is_empty(),
            TokenKind::Spec(Specifier::Pidfd) => self.mode == Mode::Pipe,
            TokenKind::Spec(_) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_bytes_lossless(f, &self.bytes)
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.debug_struct("Pattern")
                .field("pattern", &format_args!("{self}"))
                .field("mode", &self.mode)
                .field("kernel", &format_args!("{}", self.kernel))
                .field("tokens", &self.tokens)
                .finish()
        } else {
            write!(f, "Pattern({:?})", format_args!("{self}").to_string())
        }
    }
}

impl FromStr for Pattern {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pattern::parse(s)
    }
}

impl AsRef<[u8]> for Pattern {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

/// The tokens without whitespace runs at either end.
fn trim_spaces(mut toks: &[Token]) -> &[Token] {
    while toks.first().is_some_and(|t| t.kind == TokenKind::Space) {
        toks = &toks[1..];
    }
    while toks.last().is_some_and(|t| t.kind == TokenKind::Space) {
        toks = &toks[..toks.len() - 1];
    }
    toks
}

/// Writes bytes as UTF-8 where they are, and `\xNN` for other bytes.
pub(crate) fn write_bytes_lossless(f: &mut dyn fmt::Write, bytes: &[u8]) -> fmt::Result {
    for chunk in bytes.utf8_chunks() {
        f.write_str(chunk.valid())?;
        for b in chunk.invalid() {
            write!(f, "\\x{b:02x}")?;
        }
    }
    Ok(())
}

/// Options for parsing: the kernel and the length limit.
///
/// ```
/// use core_pattern::{KernelProfile, Mode, ParseOptions};
/// // Before 6.16 `@` is a relative file name, not a socket.
/// let p = ParseOptions::new().kernel(KernelProfile::parse("6.12.117")?).parse("@/run/cd.sock")?;
/// assert_eq!(p.mode(), Mode::File);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    kernel: KernelProfile,
    max_len: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions::new()
    }
}

impl ParseOptions {
    /// The newest kernel, and the kernel's 127-byte limit.
    pub const fn new() -> ParseOptions {
        ParseOptions {
            kernel: KernelProfile::latest(),
            max_len: MAX_PATTERN_LEN,
        }
    }

    /// Parses for `kernel`.
    pub const fn kernel(mut self, kernel: KernelProfile) -> ParseOptions {
        self.kernel = kernel;
        self
    }

    /// Accepts patterns up to `max_len` bytes (default 127, the kernel's
    /// limit). A larger limit lets tools examine a value before the kernel
    /// cuts it; expansion then uses every byte, which the kernel never would.
    pub const fn max_len(mut self, max_len: usize) -> ParseOptions {
        self.max_len = max_len;
        self
    }

    /// The kernel patterns are parsed for.
    pub const fn get_kernel(&self) -> &KernelProfile {
        &self.kernel
    }

    /// The length limit.
    pub const fn get_max_len(&self) -> usize {
        self.max_len
    }

    /// Parses `bytes`.
    ///
    /// # Errors
    ///
    /// See [`Pattern::parse`].
    pub fn parse(&self, bytes: impl AsRef<[u8]>) -> Result<Pattern, ParseError> {
        let bytes = bytes.as_ref();
        if let Some(i) = bytes.iter().position(|&b| b == b'\n' || b == 0) {
            let kind = if bytes[i] == 0 {
                ParseErrorKind::Nul
            } else {
                ParseErrorKind::Newline
            };
            return Err(ParseError::new(kind, Span::from_usize(i, i + 1)));
        }
        if bytes.len() > self.max_len {
            return Err(ParseError::new(
                ParseErrorKind::TooLong {
                    len: bytes.len(),
                    max: self.max_len,
                },
                Span::from_usize(self.max_len, bytes.len()),
            ));
        }
        Ok(Pattern::build(bytes, self.kernel))
    }
}

impl Pattern {
    /// Tokenizes `bytes` for `kernel` without the storage checks: for
    /// values the caller knows the kernel can hold, or for looking at a value
    /// before the kernel cuts it.
    pub(crate) fn build(bytes: &[u8], kernel: KernelProfile) -> Pattern {
        let mode = Mode::detect(bytes, &kernel);
        let mut tokens = Vec::with_capacity(8);
        let plen = mode.prefix_len();
        if plen > 0 {
            tokens.push(Token {
                kind: TokenKind::ModePrefix,
                span: Span::from_usize(0, plen),
            });
        }
        tokenize(&bytes[plen..], plen, mode, &kernel, &mut tokens);
        Pattern {
            bytes: bytes.to_vec(),
            mode,
            tokens,
            kernel,
        }
    }
}

type NomResult<'a, T> = nom::IResult<&'a [u8], T, nom::error::Error<&'a [u8]>>;

/// `%` followed by an optional byte.
fn percent(i: &[u8]) -> NomResult<'_, Option<&[u8]>> {
    let (i, _) = tag(&b"%"[..]).parse(i)?;
    opt(take(1usize)).parse(i)
}

fn tokenize(body: &[u8], base: usize, mode: Mode, kernel: &KernelProfile, out: &mut Vec<Token>) {
    let span = |rest: &[u8], next: &[u8]| {
        let start = base + body.len() - rest.len();
        Span::from_usize(start, base + body.len() - next.len())
    };
    if matches!(mode, Mode::Socket | Mode::SocketRequest) {
        if !body.is_empty() {
            out.push(Token {
                kind: TokenKind::Literal,
                span: Span::from_usize(base, base + body.len()),
            });
        }
        return;
    }
    let pipe = mode == Mode::Pipe;
    let mut rest = body;
    while !rest.is_empty() {
        let (next, kind) = if let Ok((next, letter)) = percent(rest) {
            let kind = match letter {
                None => TokenKind::TrailingPercent,
                Some(&[b]) => match Specifier::from_byte(b) {
                    Some(s) if s.known_by(kernel) => TokenKind::Spec(s),
                    _ => TokenKind::Unknown(b),
                },
                Some(_) => TokenKind::TrailingPercent,
            };
            (next, kind)
        } else if let (true, Ok((next, _))) = (
            pipe,
            take_while1::<_, _, nom::error::Error<&[u8]>>(is_kernel_space).parse(rest),
        ) {
            (next, TokenKind::Space)
        } else {
            match take_till1::<_, _, nom::error::Error<&[u8]>>(|b| {
                b == b'%' || (pipe && is_kernel_space(b))
            })
            .parse(rest)
            {
                Ok((next, _)) => (next, TokenKind::Literal),
                // Unreachable: the three parsers cover every first byte. Stop
                // rather than loop.
                Err(_) => break,
            }
        };
        out.push(Token {
            kind,
            span: span(rest, next),
        });
        rest = next;
    }
}

/// A pattern the kernel cannot hold.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {}", span.start)]
pub struct ParseError {
    kind: ParseErrorKind,
    span: Span,
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ParseError({:?})", self.to_string())
    }
}

impl ParseError {
    fn new(kind: ParseErrorKind, span: Span) -> ParseError {
        ParseError { kind, span }
    }

    /// What is wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }

    /// Where: the offending bytes.
    pub fn span(&self) -> Span {
        self.span
    }

    /// A stable numeric code (band 1xx).
    pub fn code(&self) -> u32 {
        self.kind.code()
    }

    /// The error drawn under the input, rustc-style:
    ///
    /// ```text
    /// error[E101]: the kernel stops storing the pattern at a newline
    ///   |
    ///   | core\n.%p
    ///   |     ^^
    ///   = help: remove the newline; a trailing one is harmless when writing with echo, but it is not part of the pattern
    /// ```
    pub fn render(&self, input: &[u8]) -> String {
        crate::render::caret_block(
            "error",
            &format!("E{}", self.code()),
            &self.kind.to_string(),
            input,
            self.span,
            self.kind.help(),
        )
    }
}

/// Why a pattern cannot be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Longer than the limit: `"/" + 127 × "a"` with the default limit of 127.
    #[error("pattern is {len} bytes; the kernel keeps only the first {max}")]
    TooLong {
        /// Length of the input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A newline: `"core\n"`. The kernel stores the bytes before it only.
    #[error("the kernel stops storing the pattern at a newline")]
    Newline,
    /// A NUL byte: `"core\0x"`. The kernel stores the bytes before it only.
    #[error("the kernel stops storing the pattern at a NUL byte")]
    Nul,
}

impl ParseErrorKind {
    /// A stable numeric code (band 1xx). Retired codes are never reused.
    pub const fn code(&self) -> u32 {
        match self {
            ParseErrorKind::TooLong { .. } => 100,
            ParseErrorKind::Newline => 101,
            ParseErrorKind::Nul => 102,
        }
    }

    /// A stable kebab-case name.
    pub const fn name(&self) -> &'static str {
        match self {
            ParseErrorKind::TooLong { .. } => "too-long",
            ParseErrorKind::Newline => "newline",
            ParseErrorKind::Nul => "nul-byte",
        }
    }

    /// How to fix it.
    pub const fn help(&self) -> &'static str {
        match self {
            ParseErrorKind::TooLong { .. } => {
                "shorten the pattern to 127 bytes: use a shorter directory, or %e/%f instead of %E"
            }
            ParseErrorKind::Newline => {
                "remove the newline; a trailing one is harmless when writing with echo, but it is not part of the pattern"
            }
            ParseErrorKind::Nul => "remove the NUL byte",
        }
    }
}
