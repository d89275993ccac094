//! "No lab is named outside its folders and the registries": the code every lab shares — the
//! app's shell and `labs/`, the envelope (`protocol.rs`), the engine outside its tests — never
//! names a lab of the registry (`contract::registry::LAB_SLUGS`): not as a link (`lab=cnn`), a
//! string (`"cnn"`), a module path (`contract::cnn::`, `cnn::`) or a page module (`cnn_lab`).
//! Comments may (a doc comment's example names one); code may not.
#![allow(clippy::unwrap_used)] // a panic is the failure report

use contract::registry::LAB_SLUGS;
use std::fs;
use std::path::{Path, PathBuf};

/// The shared code, and whether its `#[cfg(test)]` parts are left out (the engine's tests
/// route real labs through it).
fn shared_code() -> Vec<(PathBuf, bool)> {
    let root = root();
    let mut files = vec![
        (root.join("crates/app/src/shell.rs"), false),
        (root.join("crates/contract/src/protocol.rs"), false),
    ];
    files.extend(rust_files(&root.join("crates/app/src/labs")).map(|f| (f, false)));
    files.extend(
        rust_files(&root.join("crates/engine/src"))
            .filter(|f| f.file_name().is_some_and(|n| n != "tests.rs"))
            .map(|f| (f, true)),
    );
    files
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path) -> impl Iterator<Item = PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found.into_iter()
}

/// The code without its comments (each comment byte a space, so positions keep their line);
/// string and character literals kept as written.
fn without_comments(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = bytes.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1).copied()) {
            (b'/', Some(b'/')) => {
                let end = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
                blank(&mut out, i, end);
                i = end;
            }
            (b'/', Some(b'*')) => {
                let (mut depth, mut j) = (0, i);
                while j < bytes.len() {
                    if bytes[j..].starts_with(b"/*") {
                        depth += 1;
                        j += 2;
                    } else if bytes[j..].starts_with(b"*/") {
                        depth -= 1;
                        j += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                blank(&mut out, i, j);
                i = j;
            }
            (b'r', Some(b'#' | b'"')) if i == 0 || !is_ident(bytes[i - 1]) => {
                // A raw string: r"…" or r#"…"#, no escapes.
                let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
                if bytes.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let body = i + 2 + hashes;
                i = source[body..]
                    .find(&close)
                    .map_or(bytes.len(), |n| body + n + close.len());
            }
            (b'"', _) => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            (b'\'', Some(b'\\')) => {
                // An escaped character literal ('\'', '\u{..}').
                i = source[i + 2..]
                    .find('\'')
                    .map_or(bytes.len(), |n| i + 2 + n + 1);
            }
            (b'\'', _) => {
                // A character literal ('"'), else a lifetime or label.
                let next = source[i + 1..].chars().next().map_or(0, char::len_utf8);
                i += if bytes.get(i + 1 + next) == Some(&b'\'') {
                    next + 2
                } else {
                    1
                };
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).unwrap()
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Where `code` names the lab `slug`, as the line and what names it.
fn namings(code: &str, slug: &str) -> Vec<(usize, String)> {
    let forms = [
        (format!("lab={slug}"), true, false),
        (format!("\"{slug}\""), false, false),
        (format!("{slug}::"), false, true),
        (format!("{slug}_lab"), true, true),
    ];
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    for (form, word_after, word_before) in &forms {
        for (at, _) in code.match_indices(form.as_str()) {
            let end = at + form.len();
            if *word_before && at > 0 && is_ident(bytes[at - 1]) {
                continue;
            }
            if *word_after && bytes.get(end).is_some_and(|&b| is_ident(b)) {
                continue;
            }
            let line = code[..at].matches('\n').count() + 1;
            found.push((line, form.clone()));
        }
    }
    found
}

/// A file's code as this test reads it: without comments, and without its tests if asked.
fn code_of(path: &Path, skip_tests: bool) -> String {
    let source = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let source = match source.find("#[cfg(test)]").filter(|_| skip_tests) {
        Some(tests) => &source[..tests],
        None => &source[..],
    };
    without_comments(source)
}

#[test]
fn the_shared_code_names_no_lab() {
    let files = shared_code();
    assert!(files.len() > 6, "the shared code was found: {files:?}");
    let mut named = Vec::new();
    for (path, skip_tests) in &files {
        let code = code_of(path, *skip_tests);
        for slug in LAB_SLUGS {
            for (line, form) in namings(&code, slug) {
                let shown = path.strip_prefix(root()).unwrap_or(path);
                named.push(format!("{}:{line}: {form}", shown.display()));
            }
        }
    }
    assert!(
        named.is_empty(),
        "shared code names a lab (loop over the registry, or move it to the lab's folder):\n{}",
        named.join("\n")
    );
}

#[test]
fn the_reader_sees_code_not_comments() {
    let code = without_comments(
        "let a = \"cnn\"; // lab=net\n/* mt_lab /* nested */ optim:: */ let b = '\"'; let c = r#\"tfm::\"#;\nlet d: &'static str = \"lab=rnn\";",
    );
    let mut found: Vec<String> = LAB_SLUGS
        .iter()
        .flat_map(|slug| namings(&code, slug))
        .map(|(line, form)| format!("{line}: {form}"))
        .collect();
    found.sort();
    assert_eq!(found, ["1: \"cnn\"", "2: tfm::", "3: lab=rnn"]);
    assert!(namings("let network_lab = fmt_lab; lab=cnnx; super_optim::x", "net").is_empty());
    assert!(namings("fmt_lab; lab=cnnx; super_optim::x", "mt").is_empty());
}
