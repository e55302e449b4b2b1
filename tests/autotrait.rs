//! Every public type is `Send + Sync` (and `Unpin`), so patterns and results
//! can be shared across threads.

use core_pattern::*;
use core_pattern::{lint::*, reverse::*};

fn assert_auto<T: Send + Sync + Unpin>() {}

#[test]
fn public_types_are_send_and_sync() {
    assert_auto::<Pattern>();
    assert_auto::<ParseOptions>();
    assert_auto::<ParseError>();
    assert_auto::<ParseErrorKind>();
    assert_auto::<Mode>();
    assert_auto::<Token>();
    assert_auto::<TokenKind>();
    assert_auto::<Span>();
    assert_auto::<Specifier>();
    assert_auto::<SpecifierInfo>();
    assert_auto::<KernelVersion>();
    assert_auto::<KernelVersionError>();
    assert_auto::<KernelProfile>();
    assert_auto::<Feature>();
    assert_auto::<SocketCheck>();
    assert_auto::<WriteOutcome>();
    assert_auto::<Errno>();
    assert_auto::<Settings>();
    assert_auto::<Crash<'static>>();
    assert_auto::<CoreLimit>();
    assert_auto::<Outcome>();
    assert_auto::<NoDumpReason>();
    assert_auto::<SocketProblem>();
    assert_auto::<ExpandError>();
    assert_auto::<Signal>();
    assert_auto::<SignalInfo>();
    assert_auto::<SignalParseError>();
    assert_auto::<Error>();
    assert_auto::<Lint>();
    assert_auto::<LintKind>();
    assert_auto::<LintReport>();
    assert_auto::<Severity>();
    assert_auto::<Handler>();
    assert_auto::<Matcher>();
    assert_auto::<Matches<'static>>();
    assert_auto::<Candidate<'static>>();
    assert_auto::<Field<'static>>();
    assert_auto::<FieldValue<'static>>();
    assert_auto::<Escaped<'static>>();
    assert_auto::<MatchOptions>();
    assert_auto::<MatchError>();
    assert_auto::<Strategy>();
    assert_auto::<Target>();
}

#[cfg(feature = "doctor")]
#[test]
fn doctor_types_are_send_and_sync() {
    use core_pattern::doctor::*;
    assert_auto::<Doctor>();
    assert_auto::<DoctorReport>();
    assert_auto::<DoctorError>();
    assert_auto::<Finding>();
    assert_auto::<Mount>();
    assert_auto::<StorageKind>();
}

#[cfg(feature = "k8s")]
#[test]
fn k8s_types_are_send_and_sync() {
    use core_pattern::k8s::*;
    assert_auto::<ManifestSet>();
    assert_auto::<Document>();
    assert_auto::<Report>();
    assert_auto::<Finding>();
    assert_auto::<CheckOptions>();
    assert_auto::<PatchOptions>();
    assert_auto::<EphemeralPatch>();
    assert_auto::<ManifestError>();
    assert_auto::<PatchError>();
}
