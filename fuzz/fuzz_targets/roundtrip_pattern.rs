//! parse → Display → parse is stable for UTF-8 patterns, and the bytes are
//! kept exactly for all.
#![no_main]

use core_pattern::Pattern;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(p) = Pattern::parse(bytes) {
        assert_eq!(p.as_bytes(), bytes);
        if std::str::from_utf8(bytes).is_ok() {
            let again = Pattern::parse(p.to_string()).expect("a displayed pattern parses");
            assert_eq!(again, p);
        }
    }
});
