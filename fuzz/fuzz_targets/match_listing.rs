//! `corepat match --stdin` on any input: a pattern (up to the first `\n`),
//! then names, one a line. The listing code of the command itself (its
//! files included as they are) runs in every mode; what it promises is
//! checked in `src/bin/corepat/listing_check.rs`: lines read whole or
//! refused over the cap, holding no more than the cap; one terminal-safe
//! line a name; rows bounded by their own cells; JSON that reads back.
#![no_main]

#[allow(dead_code)]
#[path = "../../src/bin/corepat/json.rs"]
mod json;
#[allow(dead_code)]
#[path = "../../src/bin/corepat/listing.rs"]
mod listing;
#[path = "../../src/bin/corepat/listing_check.rs"]
mod listing_check;
#[allow(dead_code)]
#[path = "../../src/bin/corepat/text.rs"]
mod text;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| listing_check::check(input));
