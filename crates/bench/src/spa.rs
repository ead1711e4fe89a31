//! First-load JavaScript of the built SPA: every script and modulepreload that `index.html`
//! names (lazy chunks excluded), gzip-compressed at level 9 as a server or CDN would send it.

use std::io::Write;
use std::path::Path;

use anyhow::{ensure, Context};
use flate2::write::GzEncoder;
use flate2::Compression;

pub struct SpaSize {
    pub files: Vec<String>,
    pub raw_bytes: u64,
    pub gzip_bytes: u64,
    /// Every .js under dist/assets, gzipped (first-load plus lazy chunks), for context.
    pub all_js_gzip_bytes: u64,
}

/// Values of `attr="..."` in tags that start with `tag_start` and contain `must_contain`.
fn attr_values(html: &str, tag_start: &str, must_contain: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    html.split('<')
        .filter(|t| t.starts_with(tag_start) && t.contains(must_contain))
        .filter_map(|t| {
            let start = t.find(&needle)? + needle.len();
            let len = t[start..].find('"')?;
            Some(t[start..start + len].to_owned())
        })
        .collect()
}

pub fn first_load_js(html: &str) -> Vec<String> {
    let mut files = attr_values(html, "script", "src=", "src");
    files.extend(attr_values(html, "link", "modulepreload", "href"));
    files.retain(|f| f.ends_with(".js") && !f.starts_with("http"));
    files.dedup();
    files
}

fn gzip_len(bytes: &[u8]) -> anyhow::Result<u64> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len() as u64)
}

pub fn measure(dist: &Path) -> anyhow::Result<SpaSize> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index)
        .with_context(|| format!("{} is missing: build the SPA first", index.display()))?;
    let files = first_load_js(&html);
    ensure!(!files.is_empty(), "index.html names no JavaScript");
    let (mut raw_bytes, mut gzip_bytes) = (0, 0);
    for f in &files {
        let bytes = std::fs::read(dist.join(f.trim_start_matches('/')))
            .with_context(|| format!("{f} named by index.html is missing"))?;
        raw_bytes += bytes.len() as u64;
        gzip_bytes += gzip_len(&bytes)?;
    }
    let mut all_js_gzip_bytes = 0;
    for entry in std::fs::read_dir(dist.join("assets"))?.filter_map(Result::ok) {
        if entry.path().extension().is_some_and(|e| e == "js") {
            all_js_gzip_bytes += gzip_len(&std::fs::read(entry.path())?)?;
        }
    }
    Ok(SpaSize {
        files,
        raw_bytes,
        gzip_bytes,
        all_js_gzip_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_entry_and_preloads_but_not_css() {
        let html = r#"<script type="module" crossorigin src="/assets/index-A.js"></script>
            <link rel="modulepreload" crossorigin href="/assets/vendor-B.js">
            <link rel="stylesheet" crossorigin href="/assets/index-C.css">"#;
        assert_eq!(
            first_load_js(html),
            ["/assets/index-A.js", "/assets/vendor-B.js"]
        );
    }
}
