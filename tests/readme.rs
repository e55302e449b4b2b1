//! Every `console` block of README.md runs here: each `$ corepat ...` line
//! and its output, compared with what `corepat` prints now (`[..]` and
//! `...` mask what depends on the machine). `TRYCMD=overwrite cargo test
//! --features cli --test readme` rewrites the README's outputs after an
//! intended change.

#[test]
fn readme_commands_print_what_the_readme_shows() {
    trycmd::TestCases::new()
        .register_bin("corepat", trycmd::cargo::cargo_bin!("corepat"))
        .case("README.md");
}
