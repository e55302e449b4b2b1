//! Pieces of kernel behaviour and the release that brought each: one table.

use core::fmt;

use crate::version::KernelVersion;

/// Declares [`Feature`] from one table: variant, stable name, upstream
/// release. Adding a feature means adding one row.
macro_rules! features {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $bit:literal, $name:literal, ($maj:literal, $min:literal, $patch:literal);
    )*) => {
        /// One piece of kernel behaviour that appeared in a known release.
        ///
        /// [`Feature::since`] gives the upstream release; a
        /// [`KernelProfile`](crate::KernelProfile) can add or remove any
        /// feature to describe a distribution kernel.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        #[repr(u8)]
        pub enum Feature {
            $($(#[$doc])* $variant = $bit,)*
        }

        impl Feature {
            /// Every feature, in order of appearance.
            pub const ALL: [Feature; [$($bit),*].len()] = [$(Feature::$variant),*];

            /// The upstream release that introduced the feature.
            pub const fn since(self) -> KernelVersion {
                match self {
                    $(Feature::$variant => KernelVersion::new($maj, $min, $patch),)*
                }
            }

            /// A stable kebab-case name, e.g. `spec-pidfd`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Feature::$variant => $name,)*
                }
            }
        }
    };
}

features! {
    /// `%c`, the soft `RLIMIT_CORE` (2.6.24).
    SpecCoreLimit = 0, "spec-core-limit", (2, 6, 24);
    /// `%E`, the executable path (3.0).
    SpecExePath = 1, "spec-exe-path", (3, 0, 0);
    /// `%d`, the dump mode (3.7).
    SpecDumpable = 2, "spec-dumpable", (3, 7, 0);
    /// `%P`, the global PID (3.12).
    SpecGlobalPid = 3, "spec-global-pid", (3, 12, 0);
    /// `%i` and `%I`, thread IDs (3.18).
    SpecTid = 4, "spec-tid", (3, 18, 0);
    /// Escaping of an expansion that is exactly `.`, `..` or empty (4.6).
    EscapeDotNames = 5, "escape-dot-names", (4, 6, 0);
    /// Pipe argv is split on whitespace *before* expansion, so spaces inside
    /// `%e`/`%E` stay in one argument, and empty arguments survive (5.3).
    PipeSplitBeforeExpand = 6, "pipe-split-before-expand", (5, 3, 0);
    /// `%f`, the executable's file name (5.9).
    SpecExeName = 7, "spec-exe-name", (5, 9, 0);
    /// `%C`, the CPU the dump started on (6.2 upstream; Debian 6.1.192 lacks it).
    SpecCpu = 8, "spec-cpu", (6, 2, 0);
    /// `%F`, a pidfd for the pipe helper at fd 3 (6.16; backported to some
    /// stable kernels, e.g. Debian's 6.1.192 and 6.12.117).
    SpecPidfd = 9, "spec-pidfd", (6, 16, 0);
    /// `@/path`: dump to an `AF_UNIX` socket (6.16). Before it, `@` is an
    /// ordinary relative file name.
    SocketMode = 10, "socket-mode", (6, 16, 0);
    /// `@@/path`: the socket request/ack protocol (6.17), together with the
    /// write-time checks on path length (< 108) and `..` components.
    SocketRequestMode = 11, "socket-request-mode", (6, 17, 0);
}

impl Feature {
    /// The feature's bit in a [`KernelProfile`](crate::KernelProfile)'s set.
    pub(crate) const fn bit(self) -> u32 {
        1 << (self as u8)
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_order_is_bit_order_and_release_order() {
        for (i, f) in Feature::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i);
            if i > 0 {
                assert!(f.since() >= Feature::ALL[i - 1].since(), "{f}");
            }
        }
    }
}
