//! `corepat check-manifest` and `corepat ephemeral-patch`.

use core_pattern::KernelProfile;
use std::io;
use std::process::ExitCode;

use crate::{Format, emit, terminal_safe};

/// Reads one manifest input, at most `MAX_MANIFEST_BYTES` of it: the limit
/// applies while reading, so `/dev/zero` or `yes |` cannot exhaust memory.
fn read_input(path: &std::path::Path) -> Result<(String, String), String> {
    use core_pattern::k8s::MAX_MANIFEST_BYTES;
    use io::Read as _;
    let (name, reader): (String, Box<dyn io::Read>) = if path.as_os_str() == "-" {
        ("<stdin>".into(), Box::new(io::stdin().lock()))
    } else {
        let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        (path.display().to_string(), Box::new(f))
    };
    let mut bytes = Vec::new();
    reader
        .take(MAX_MANIFEST_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(format!(
            "{name}: more than {MAX_MANIFEST_BYTES} bytes, the limit of one manifest input"
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| format!("{name}: not UTF-8: {e}"))?;
    Ok((name, text))
}

pub(crate) fn check_manifest(
    files: &[std::path::PathBuf],
    kernel: KernelProfile,
    keys: Vec<String>,
    format: Format,
) -> Result<ExitCode, String> {
    let mut set = core_pattern::k8s::ManifestSet::default();
    for f in files {
        let (name, text) = read_input(f)?;
        set.add(&name, &text).map_err(|e| e.to_string())?;
    }
    let mut opts = core_pattern::k8s::CheckOptions::new().with_kernel(kernel);
    if !keys.is_empty() {
        opts.keys = keys;
    }
    let report = core_pattern::k8s::try_check(&set, &opts).map_err(|e| e.to_string())?;
    let mut o = String::new();
    match format {
        Format::Json => outln!(o, "{}", report.to_json()),
        Format::Text => {
            let mut last: Option<&str> = None;
            for f in &report.findings {
                if last != Some(f.object.as_str()) {
                    if last.is_some() {
                        outln!(o);
                    }
                    outln!(o, "{}", f.object);
                    last = Some(&f.object);
                }
                let c = f
                    .container
                    .as_deref()
                    .map(|c| format!(" [{c}]"))
                    .unwrap_or_default();
                outln!(o, "  {}[{}]{c} {}", f.severity, f.name, f.path);
                outln!(o, "    {}", f.message);
                outln!(o, "    fix: {}", f.help);
            }
            let errors = report
                .findings
                .iter()
                .filter(|f| f.severity == core_pattern::lint::Severity::Error)
                .count();
            if report.findings.is_empty() {
                outln!(o, "no findings");
            } else {
                outln!(o);
                outln!(o, "{} finding(s), {errors} error(s)", report.findings.len());
            }
        }
    }
    emit(&o)?;
    Ok(if report.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub(crate) fn ephemeral(
    manifest: &std::path::Path,
    name: String,
    image: String,
    target: Option<String>,
) -> Result<ExitCode, String> {
    let (src, text) = read_input(manifest)?;
    let set = core_pattern::k8s::ManifestSet::parse(&src, &text).map_err(|e| e.to_string())?;
    let mut opts = core_pattern::k8s::PatchOptions::new()
        .with_name(name)
        .with_image(image);
    if let Some(t) = target {
        opts = opts.with_target(t);
    }
    let patch = core_pattern::k8s::ephemeral_patch(&set, &opts).map_err(|e| e.to_string())?;
    let body = serde_json::to_string_pretty(&patch.body).map_err(|e| e.to_string())?;
    let mut o = String::new();
    outln!(o, "{body}");
    let mut how = format!(
        "# patch for {}: save the JSON above as patch.json, then:\n",
        patch.object
    );
    for line in patch.kubectl.lines() {
        if line.starts_with('#') {
            outln!(how, "{line}");
        } else {
            outln!(how, "#   {line}");
        }
    }
    outln!(how, "# or, through the API server proxy:");
    outln!(how, "#   {}", patch.curl);
    eprint!("{}", terminal_safe(&how));
    emit(&o)
}
