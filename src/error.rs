//! The umbrella error type.

use crate::expand::ExpandError;
use crate::parse::ParseError;
use crate::signal::SignalParseError;
use crate::version::KernelVersionError;

/// Any error this crate returns, for callers that want one type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A pattern could not be parsed.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A file name could not be expanded.
    #[error(transparent)]
    Expand(#[from] ExpandError),
    /// A kernel release string is not one.
    #[error(transparent)]
    KernelVersion(#[from] KernelVersionError),
    /// A signal name or number is not one.
    #[error(transparent)]
    Signal(#[from] SignalParseError),
}
