//! Kernel releases and the behaviour each one has.
//!
//! A [`KernelProfile`] says which `core_pattern` rules a kernel follows: the
//! release's upstream features (from its version) plus explicit overrides for
//! distribution backports, which a version table alone cannot know (Debian's
//! 6.1.192 has `%F`, backported from 6.16).

use core::fmt;
use core::str::FromStr;

/// A kernel version: `major.minor.patch`, with an optional `-rcN`.
///
/// Ordering follows release order: `6.17-rc3 < 6.17.0 < 6.17.5`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KernelVersion {
    /// Major number (`6` in `6.18.15`).
    pub major: u16,
    /// Minor number (`18` in `6.18.15`).
    pub minor: u16,
    /// Patch level or stable sublevel (`15` in `6.18.15`).
    pub patch: u32,
    /// Release candidate number, for `6.17-rc3`.
    pub rc: Option<u16>,
}

impl KernelVersion {
    /// A final (non-rc) release.
    pub const fn new(major: u16, minor: u16, patch: u32) -> KernelVersion {
        KernelVersion {
            major,
            minor,
            patch,
            rc: None,
        }
    }

    /// A release candidate `major.minor-rcN`.
    pub const fn rc(major: u16, minor: u16, rc: u16) -> KernelVersion {
        KernelVersion {
            major,
            minor,
            patch: 0,
            rc: Some(rc),
        }
    }

    const fn key(&self) -> (u16, u16, u32, u32) {
        // An rc sorts before the .0 release of the same major.minor.
        let rc = match self.rc {
            Some(n) => n as u32,
            None => u32::MAX,
        };
        (self.major, self.minor, self.patch, rc)
    }

    /// `self >= other`, usable in `const` context.
    pub const fn at_least(&self, other: KernelVersion) -> bool {
        let (a, b) = (self.key(), other.key());
        if a.0 != b.0 {
            return a.0 > b.0;
        }
        if a.1 != b.1 {
            return a.1 > b.1;
        }
        if a.2 != b.2 {
            return a.2 > b.2;
        }
        a.3 >= b.3
    }

    /// Parses a kernel release as `uname -r` prints it: `6.18.15`, `7.3.4`,
    /// `6.1.0-56-cloud-amd64` (Debian: the upstream sublevel is not in the
    /// string, so this is `6.1.0`), `6.17-rc3`, `6.17.0-rc3+`, `5.15`.
    ///
    /// # Errors
    ///
    /// [`KernelVersionError`] when the string does not start with
    /// `MAJOR.MINOR`: `""`, `"linux"`, `"6"`, `"6.x"`.
    ///
    /// ```
    /// use core_pattern::KernelVersion;
    /// let v = KernelVersion::parse("6.1.0-56-cloud-amd64")?;
    /// assert_eq!(v, KernelVersion::new(6, 1, 0));
    /// assert_eq!(KernelVersion::parse("6.17-rc3")?, KernelVersion::rc(6, 17, 3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(s: &str) -> Result<KernelVersion, KernelVersionError> {
        let err = || KernelVersionError {
            input: s.chars().take(64).collect(),
        };
        let bytes = s.as_bytes();
        let mut pos = 0;
        let num = |pos: &mut usize| -> Option<u64> {
            let start = *pos;
            while *pos < bytes.len() && bytes[*pos].is_ascii_digit() && *pos - start < 10 {
                *pos += 1;
            }
            if *pos == start {
                return None;
            }
            s[start..*pos].parse().ok()
        };
        let major = num(&mut pos).ok_or_else(err)?;
        if bytes.get(pos) != Some(&b'.') {
            return Err(err());
        }
        pos += 1;
        let minor = num(&mut pos).ok_or_else(err)?;
        let mut patch = 0;
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            patch = num(&mut pos).ok_or_else(err)?;
        }
        let mut rc = None;
        if s[pos..].starts_with("-rc") {
            pos += 3;
            rc = Some(num(&mut pos).ok_or_else(err)?);
        }
        let major = u16::try_from(major).map_err(|_| err())?;
        let minor = u16::try_from(minor).map_err(|_| err())?;
        let patch = u32::try_from(patch).map_err(|_| err())?;
        let rc = match rc {
            Some(n) => Some(u16::try_from(n).map_err(|_| err())?),
            None => None,
        };
        Ok(KernelVersion {
            major,
            minor,
            patch,
            rc,
        })
    }
}

impl PartialOrd for KernelVersion {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KernelVersion {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rc {
            Some(rc) => write!(f, "{}.{}-rc{}", self.major, self.minor, rc),
            None => write!(f, "{}.{}.{}", self.major, self.minor, self.patch),
        }
    }
}

impl FromStr for KernelVersion {
    type Err = KernelVersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KernelVersion::parse(s)
    }
}

/// A kernel release string that is not `MAJOR.MINOR[.PATCH]...`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid kernel release {input:?}: expected MAJOR.MINOR[.PATCH] as `uname -r` prints it, e.g. `6.18.15` or `6.1.0-56-cloud-amd64`"
)]
pub struct KernelVersionError {
    input: String,
}

/// One piece of kernel behaviour that appeared in a known release.
///
/// [`Feature::since`] gives the upstream release; a [`KernelProfile`] can add
/// or remove any feature to describe a distribution kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[repr(u8)]
pub enum Feature {
    /// `%c`, the soft `RLIMIT_CORE` (2.6.24).
    SpecCoreLimit = 0,
    /// `%E`, the executable path (3.0).
    SpecExePath,
    /// `%d`, the dump mode (3.7).
    SpecDumpable,
    /// `%P`, the global PID (3.12).
    SpecGlobalPid,
    /// `%i` and `%I`, thread IDs (3.18).
    SpecTid,
    /// Escaping of an expansion that is exactly `.`, `..` or empty (4.6).
    EscapeDotNames,
    /// Pipe argv is split on whitespace *before* expansion, so spaces inside
    /// `%e`/`%E` stay in one argument, and empty arguments survive (5.3).
    PipeSplitBeforeExpand,
    /// `%f`, the executable's file name (5.9).
    SpecExeName,
    /// `%C`, the CPU the dump started on (6.2 upstream; Debian 6.1.192 lacks it).
    SpecCpu,
    /// `%F`, a pidfd for the pipe helper at fd 3 (6.16; backported to some
    /// stable kernels, e.g. Debian's 6.1.192 and 6.12.117).
    SpecPidfd,
    /// `@/path`: dump to an `AF_UNIX` socket (6.16). Before it, `@` is an
    /// ordinary relative file name.
    SocketMode,
    /// `@@/path`: the socket request/ack protocol (6.17), together with the
    /// write-time checks on path length (< 108) and `..` components.
    SocketRequestMode,
}

impl Feature {
    /// Every feature, in order of appearance.
    pub const ALL: [Feature; 12] = [
        Feature::SpecCoreLimit,
        Feature::SpecExePath,
        Feature::SpecDumpable,
        Feature::SpecGlobalPid,
        Feature::SpecTid,
        Feature::EscapeDotNames,
        Feature::PipeSplitBeforeExpand,
        Feature::SpecExeName,
        Feature::SpecCpu,
        Feature::SpecPidfd,
        Feature::SocketMode,
        Feature::SocketRequestMode,
    ];

    /// The upstream release that introduced the feature.
    pub const fn since(self) -> KernelVersion {
        match self {
            Feature::SpecCoreLimit => KernelVersion::new(2, 6, 24),
            Feature::SpecExePath => KernelVersion::new(3, 0, 0),
            Feature::SpecDumpable => KernelVersion::new(3, 7, 0),
            Feature::SpecGlobalPid => KernelVersion::new(3, 12, 0),
            Feature::SpecTid => KernelVersion::new(3, 18, 0),
            Feature::EscapeDotNames => KernelVersion::new(4, 6, 0),
            Feature::PipeSplitBeforeExpand => KernelVersion::new(5, 3, 0),
            Feature::SpecExeName => KernelVersion::new(5, 9, 0),
            Feature::SpecCpu => KernelVersion::new(6, 2, 0),
            Feature::SpecPidfd => KernelVersion::new(6, 16, 0),
            Feature::SocketMode => KernelVersion::new(6, 16, 0),
            Feature::SocketRequestMode => KernelVersion::new(6, 17, 0),
        }
    }

    /// A stable kebab-case name, e.g. `spec-pidfd`.
    pub const fn name(self) -> &'static str {
        match self {
            Feature::SpecCoreLimit => "spec-core-limit",
            Feature::SpecExePath => "spec-exe-path",
            Feature::SpecDumpable => "spec-dumpable",
            Feature::SpecGlobalPid => "spec-global-pid",
            Feature::SpecTid => "spec-tid",
            Feature::EscapeDotNames => "escape-dot-names",
            Feature::PipeSplitBeforeExpand => "pipe-split-before-expand",
            Feature::SpecExeName => "spec-exe-name",
            Feature::SpecCpu => "spec-cpu",
            Feature::SpecPidfd => "spec-pidfd",
            Feature::SocketMode => "socket-mode",
            Feature::SocketRequestMode => "socket-request-mode",
        }
    }

    /// Looks a feature up by its [`name`](Feature::name) or, for specifier
    /// features, by the specifier as the vectors' `backports` list writes it
    /// (`"%F"`, `"%C"`).
    pub fn from_name(s: &str) -> Option<Feature> {
        if let Some(letter) = s.strip_prefix('%') {
            let b = match letter.as_bytes() {
                [b] => *b,
                _ => return None,
            };
            return crate::spec::Specifier::from_byte(b).and_then(|s| s.info().feature);
        }
        Feature::ALL.into_iter().find(|f| f.name() == s)
    }

    const fn bit(self) -> u32 {
        1 << (self as u8)
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// When the kernel runs `check_coredump_socket()` on a `@` pattern.
///
/// The check has a troubled history (see `kernel.md` §6.3): it ran on both
/// read and write in 6.16.0–6.16.7, was inverted to run on *read only* in
/// 6.16.8–6.16.y and 6.17.0–6.17.4 (so any `@` value was accepted and reading
/// it back failed with `EINVAL`), and runs on write only from 6.17.5 and
/// 6.18-rc2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SocketCheck {
    /// No socket mode: nothing is checked.
    Never,
    /// Checked on write and on read (6.16.0–6.16.7).
    WriteAndRead,
    /// Checked on read only: writes are accepted, reads fail (6.16.8+, 6.17.0–6.17.4).
    ReadOnly,
    /// Checked on write: an invalid value is rejected with `EINVAL` and the
    /// old value stays (6.17.5+, 6.18-rc2+).
    Write,
}

/// The behaviour of one kernel: its version plus feature overrides.
///
/// `KernelProfile` is small and `Copy`; a parsed [`Pattern`](crate::Pattern)
/// carries the profile it was parsed for.
///
/// ```
/// use core_pattern::{Feature, KernelProfile};
/// // Debian's 6.1.192: no %C upstream, %F backported.
/// let k = KernelProfile::parse("6.1.192")?.with_feature(Feature::SpecPidfd);
/// assert!(k.has(Feature::SpecPidfd));
/// assert!(!k.has(Feature::SpecCpu));
/// assert!(KernelProfile::latest().has(Feature::SocketRequestMode));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KernelProfile {
    version: KernelVersion,
    added: u32,
    removed: u32,
    socket_check: Option<SocketCheck>,
    rlim_infinity: u64,
    in_initial_mount_ns: bool,
}

impl Default for KernelProfile {
    fn default() -> Self {
        KernelProfile::latest()
    }
}

impl KernelProfile {
    /// The newest release whose behaviour this crate knows (7.3.4): every
    /// feature on, socket checks on write.
    pub const LATEST_VERSION: KernelVersion = KernelVersion::new(7, 3, 4);

    /// The profile of the newest known behaviour. This is the default.
    pub const fn latest() -> KernelProfile {
        KernelProfile::new(Self::LATEST_VERSION)
    }

    /// The upstream behaviour of `version`, without overrides, on a 64-bit
    /// kernel, written from the initial mount namespace.
    pub const fn new(version: KernelVersion) -> KernelProfile {
        KernelProfile {
            version,
            added: 0,
            removed: 0,
            socket_check: None,
            rlim_infinity: u64::MAX,
            in_initial_mount_ns: true,
        }
    }

    /// Parses a release string (see [`KernelVersion::parse`]) into its
    /// upstream profile.
    ///
    /// # Errors
    ///
    /// [`KernelVersionError`] for a string that is not a kernel release.
    pub fn parse(release: &str) -> Result<KernelProfile, KernelVersionError> {
        Ok(KernelProfile::new(KernelVersion::parse(release)?))
    }

    /// The kernel version.
    pub const fn version(&self) -> KernelVersion {
        self.version
    }

    /// Adds a feature the release has beyond its upstream version (a backport).
    #[must_use]
    pub const fn with_feature(mut self, f: Feature) -> KernelProfile {
        self.added |= f.bit();
        self.removed &= !f.bit();
        self
    }

    /// Removes a feature the release's version would imply (a revert, or a
    /// build without it, e.g. `CONFIG_UNIX=n` for [`Feature::SocketMode`]).
    #[must_use]
    pub const fn without_feature(mut self, f: Feature) -> KernelProfile {
        self.removed |= f.bit();
        self.added &= !f.bit();
        self
    }

    /// Overrides when `@` patterns are checked (see [`SocketCheck`]).
    #[must_use]
    pub const fn with_socket_check(mut self, c: SocketCheck) -> KernelProfile {
        self.socket_check = Some(c);
        self
    }

    /// Sets the value `%c` prints for an unlimited `RLIMIT_CORE`:
    /// `u64::MAX` on 64-bit kernels (the default), `4294967295` on most
    /// 32-bit ones.
    #[must_use]
    pub const fn with_rlim_infinity(mut self, v: u64) -> KernelProfile {
        self.rlim_infinity = v;
        self
    }

    /// Whether the writer of the sysctl is in the initial mount namespace
    /// (default `true`). Writing a `@` pattern from any other mount namespace
    /// fails with `EINVAL` on kernels that check sockets.
    #[must_use]
    pub const fn with_initial_mount_ns(mut self, yes: bool) -> KernelProfile {
        self.in_initial_mount_ns = yes;
        self
    }

    /// Whether the writer is in the initial mount namespace.
    pub const fn in_initial_mount_ns(&self) -> bool {
        self.in_initial_mount_ns
    }

    /// The value `%c` prints for an unlimited core size.
    pub const fn rlim_infinity(&self) -> u64 {
        self.rlim_infinity
    }

    /// Whether this kernel has `f`.
    pub const fn has(&self, f: Feature) -> bool {
        if self.removed & f.bit() != 0 {
            return false;
        }
        self.added & f.bit() != 0 || self.version.at_least(f.since())
    }

    /// Features added beyond the upstream release.
    pub fn backports(&self) -> impl Iterator<Item = Feature> + '_ {
        Feature::ALL
            .into_iter()
            .filter(|f| self.added & f.bit() != 0)
    }

    /// When `@` patterns are checked on this kernel.
    pub const fn socket_check(&self) -> SocketCheck {
        if let Some(c) = self.socket_check {
            return c;
        }
        if !self.has(Feature::SocketMode) {
            return SocketCheck::Never;
        }
        let v = self.version;
        if v.major == 6 && v.minor == 16 {
            if v.rc.is_none() && v.patch >= 8 {
                SocketCheck::ReadOnly
            } else {
                SocketCheck::WriteAndRead
            }
        } else if v.major == 6 && v.minor == 17 {
            match v.rc {
                Some(rc) if rc <= 4 => SocketCheck::WriteAndRead,
                Some(_) => SocketCheck::ReadOnly,
                None if v.patch <= 4 => SocketCheck::ReadOnly,
                None => SocketCheck::Write,
            }
        } else if v.major == 6 && v.minor == 18 && matches!(v.rc, Some(1)) {
            SocketCheck::ReadOnly
        } else {
            // 6.18-rc2 and later, or a socket-mode backport onto an older
            // kernel (assumed to carry the fixed logic).
            SocketCheck::Write
        }
    }
}

impl fmt::Display for KernelProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.version)?;
        let mut first = true;
        for feat in self.backports() {
            f.write_str(if first { " (+" } else { ", +" })?;
            f.write_str(feat.name())?;
            first = false;
        }
        if !first {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl FromStr for KernelProfile {
    type Err = KernelVersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KernelProfile::parse(s)
    }
}
