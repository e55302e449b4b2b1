//! Signals, and which ones dump core by default.
//!
//! Numbers are those of x86, ARM, RISC-V, PowerPC, s390 and most other
//! architectures (the generic `asm-generic/signal.h` numbering). Alpha, MIPS,
//! PA-RISC and SPARC number some signals differently.

use core::fmt;

/// What the kernel does by default when a signal is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DefaultAction {
    /// Terminate the process.
    Term,
    /// Terminate and dump core.
    Core,
    /// Ignore the signal.
    Ign,
    /// Stop the process.
    Stop,
    /// Continue a stopped process.
    Cont,
}

/// One standard signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignalInfo {
    /// Signal number.
    pub number: u32,
    /// Name, e.g. `"SIGSEGV"`.
    pub name: &'static str,
    /// Default action.
    pub action: DefaultAction,
}

macro_rules! sig {
    ($n:literal, $name:literal, $a:ident) => {
        SignalInfo {
            number: $n,
            name: $name,
            action: DefaultAction::$a,
        }
    };
}

/// The standard signals 1–31 (signal(7)).
pub const SIGNALS: [SignalInfo; 31] = [
    sig!(1, "SIGHUP", Term),
    sig!(2, "SIGINT", Term),
    sig!(3, "SIGQUIT", Core),
    sig!(4, "SIGILL", Core),
    sig!(5, "SIGTRAP", Core),
    sig!(6, "SIGABRT", Core),
    sig!(7, "SIGBUS", Core),
    sig!(8, "SIGFPE", Core),
    sig!(9, "SIGKILL", Term),
    sig!(10, "SIGUSR1", Term),
    sig!(11, "SIGSEGV", Core),
    sig!(12, "SIGUSR2", Term),
    sig!(13, "SIGPIPE", Term),
    sig!(14, "SIGALRM", Term),
    sig!(15, "SIGTERM", Term),
    sig!(16, "SIGSTKFLT", Term),
    sig!(17, "SIGCHLD", Ign),
    sig!(18, "SIGCONT", Cont),
    sig!(19, "SIGSTOP", Stop),
    sig!(20, "SIGTSTP", Stop),
    sig!(21, "SIGTTIN", Stop),
    sig!(22, "SIGTTOU", Stop),
    sig!(23, "SIGURG", Ign),
    sig!(24, "SIGXCPU", Core),
    sig!(25, "SIGXFSZ", Core),
    sig!(26, "SIGVTALRM", Term),
    sig!(27, "SIGPROF", Term),
    sig!(28, "SIGWINCH", Ign),
    sig!(29, "SIGIO", Term),
    sig!(30, "SIGPWR", Term),
    sig!(31, "SIGSYS", Core),
];

/// The signals whose default action dumps core: SIGQUIT, SIGILL, SIGTRAP,
/// SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS.
pub fn core_signals() -> impl Iterator<Item = &'static SignalInfo> {
    SIGNALS.iter().filter(|s| s.action == DefaultAction::Core)
}

/// A signal number.
///
/// ```
/// use core_pattern::Signal;
/// let s: Signal = "SIGSEGV".parse()?;
/// assert_eq!(s.number(), 11);
/// assert!(s.dumps_core());
/// assert!(!Signal::new(15).dumps_core()); // SIGTERM
/// assert_eq!(Signal::new(40).name(), None); // a real-time signal
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal(u32);

impl Signal {
    /// SIGSEGV, the usual crash.
    pub const SIGSEGV: Signal = Signal(11);
    /// SIGABRT, from `abort()`.
    pub const SIGABRT: Signal = Signal(6);

    /// The signal with this number (any number; unknown ones have no name).
    pub const fn new(number: u32) -> Signal {
        Signal(number)
    }

    /// The number.
    pub const fn number(self) -> u32 {
        self.0
    }

    /// The table row, for 1–31.
    pub fn info(self) -> Option<&'static SignalInfo> {
        SIGNALS.iter().find(|s| s.number == self.0)
    }

    /// The name, for 1–31.
    pub fn name(self) -> Option<&'static str> {
        self.info().map(|s| s.name)
    }

    /// The default action; real-time signals (32–64) terminate.
    pub fn default_action(self) -> DefaultAction {
        self.info().map_or(DefaultAction::Term, |s| s.action)
    }

    /// Whether the default action dumps core.
    pub fn dumps_core(self) -> bool {
        self.default_action() == DefaultAction::Core
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "signal {}", self.0),
        }
    }
}

/// A signal name or number that is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown signal {0:?}: give a number (11) or a name (SIGSEGV, SEGV)")]
pub struct SignalParseError(String);

impl core::str::FromStr for Signal {
    type Err = SignalParseError;
    /// Accepts `11`, `SIGSEGV`, `SEGV` and `segv`, plus the aliases
    /// `SIGIOT` (6) and `SIGPOLL` (29).
    fn from_str(s: &str) -> Result<Signal, SignalParseError> {
        if let Ok(n) = s.parse::<u32>() {
            return Ok(Signal(n));
        }
        let up = s.to_ascii_uppercase();
        let name = if up.starts_with("SIG") {
            up
        } else {
            format!("SIG{up}")
        };
        let alias = match name.as_str() {
            "SIGIOT" => Some(6),
            "SIGPOLL" => Some(29),
            _ => None,
        };
        alias
            .or_else(|| SIGNALS.iter().find(|i| i.name == name).map(|i| i.number))
            .map(Signal)
            .ok_or_else(|| SignalParseError(s.chars().take(32).collect()))
    }
}
