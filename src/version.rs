//! Kernel release numbers: `uname -r` strings and their order.

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
    /// `MAJOR.MINOR` (`""`, `"linux"`, `"6"`, `"6.x"`), has a character no
    /// release has (`"6.1;rm"`, `"6.1 x"`: only letters, digits and
    /// `. - _ + ~`), or is longer than the 64 bytes of a release.
    ///
    /// ```
    /// use core_pattern::KernelVersion;
    /// let v = KernelVersion::parse("6.1.0-56-cloud-amd64")?;
    /// assert_eq!(v, KernelVersion::new(6, 1, 0));
    /// assert_eq!(KernelVersion::parse("6.17-rc3")?, KernelVersion::rc(6, 17, 3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(s: &str) -> Result<KernelVersion, KernelVersionError> {
        let err = || {
            KernelVersionError::new(
                s,
                "expected MAJOR.MINOR[.PATCH] as `uname -r` prints it, e.g. `6.18.15` or `6.1.0-56-cloud-amd64`",
            )
        };
        if s.len() > RELEASE_MAX {
            return Err(KernelVersionError::new(
                s,
                "longer than the 64 bytes a kernel release can have",
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+' | b'~'))
        {
            return Err(KernelVersionError::new(
                s,
                "a release has only letters, digits and `. - _ + ~`, as `uname -r` prints it",
            ));
        }
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

/// A kernel release string that is not `MAJOR.MINOR[.PATCH]...` as
/// `uname -r` prints it, or one this crate does not model.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid kernel release {input:?}: {why}")]
pub struct KernelVersionError {
    input: String,
    why: &'static str,
}

impl KernelVersionError {
    pub(crate) fn new(input: &str, why: &'static str) -> KernelVersionError {
        KernelVersionError {
            input: input.chars().take(64).collect(),
            why,
        }
    }
}

/// The longest release `uname -r` can print (`__NEW_UTS_LEN`).
const RELEASE_MAX: usize = 64;
