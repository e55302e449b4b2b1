//! The umbrella error type.

use crate::expand::{CrashError, ExpandError};
use crate::parse::ParseError;
use crate::reverse::MatchError;
use crate::signal::SignalParseError;
use crate::version::KernelVersionError;

/// Any error this crate returns, for callers that want one type.
///
/// The doctor's `doctor::DoctorError` is not here: it
/// carries an `std::io::Error`, which is neither `Clone` nor `Eq`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A pattern could not be parsed.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A file name could not be expanded.
    #[error(transparent)]
    Expand(#[from] ExpandError),
    /// A crash holds a value no kernel produces.
    #[error(transparent)]
    Crash(#[from] CrashError),
    /// A kernel release string is not one.
    #[error(transparent)]
    KernelVersion(#[from] KernelVersionError),
    /// A signal name or number is not one.
    #[error(transparent)]
    Signal(#[from] SignalParseError),
    /// A reverse matcher could not be compiled.
    #[error(transparent)]
    Match(#[from] MatchError),
    /// A manifest could not be read.
    #[cfg(feature = "k8s")]
    #[cfg_attr(docsrs, doc(cfg(feature = "k8s")))]
    #[error(transparent)]
    Manifest(#[from] crate::k8s::ManifestError),
    /// No ephemeral-container patch could be written.
    #[cfg(feature = "k8s")]
    #[cfg_attr(docsrs, doc(cfg(feature = "k8s")))]
    #[error(transparent)]
    Patch(#[from] crate::k8s::PatchError),
}
