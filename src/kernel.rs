//! Kernel releases and the behaviour each one has.
//!
//! A [`KernelProfile`] says which `core_pattern` rules a kernel follows: the
//! release's upstream features (from its version) plus explicit overrides for
//! distribution backports, which a version table alone cannot know (Debian's
//! 6.1.192 has `%F`, backported from 6.16).

use core::fmt;
use core::str::FromStr;

use crate::spec::Specifier;

use crate::feature::Feature;
use crate::version::{KernelVersion, KernelVersionError};

/// When the kernel runs `check_coredump_socket()` on a `@` pattern.
///
/// The check (fs/coredump.c) has a troubled history, confirmed on real
/// kernels: it ran on both read and write in 6.16.0–6.16.7, was inverted to run on *read only* in
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

    /// The oldest release [`KernelProfile::parse`] accepts: 2.6.19, the
    /// first with `|helper` patterns.
    pub const OLDEST_VERSION: KernelVersion = KernelVersion::new(2, 6, 19);

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
    /// [`KernelVersionError`] for a string that is not a kernel release
    /// ([`KernelVersion::parse`]), and for a release before
    /// [`KernelProfile::OLDEST_VERSION`], which this crate does not model.
    pub fn parse(release: &str) -> Result<KernelProfile, KernelVersionError> {
        let v = KernelVersion::parse(release)?;
        if !v.at_least(KernelProfile::OLDEST_VERSION) {
            return Err(KernelVersionError::new(
                release,
                "releases before 2.6.19, the first with pipe patterns, are not modelled",
            ));
        }
        Ok(KernelProfile::new(v))
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

impl Specifier {
    /// Whether `kernel` knows this specifier. An unknown one is dropped
    /// together with its letter.
    pub const fn known_by(self, kernel: &KernelProfile) -> bool {
        match self.info().feature {
            Some(f) => kernel.has(f),
            None => true,
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
