//! Checks that every key used in the sources has its Chinese, that every
//! Chinese entry is used, and that placeholders match.

use super::*;
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

/// The string literals passed as the first argument of `tr(` / `trf(` in
/// `src`, leaving out comment lines (examples in docs are not keys).
fn keys_in(src: &str) -> Vec<String> {
    let code: String = src
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| format!("{l}\n"))
        .collect();
    let src = code.as_str();
    let bytes = src.as_bytes();
    let mut keys = Vec::new();
    for call in ["tr(", "trf("] {
        let mut from = 0;
        while let Some(pos) = src[from..].find(call) {
            let at = from + pos;
            from = at + call.len();
            let word_start =
                at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
            if !word_start || src[..at].ends_with("fn ") {
                continue;
            }
            let rest = src[from..].trim_start();
            let Some(lit) = rest.strip_prefix('"') else {
                continue;
            };
            keys.push(parse_literal(lit));
        }
    }
    keys
}

/// The text of a Rust string literal whose opening quote was just consumed.
fn parse_literal(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return out,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some('\'') => out.push('\''),
                Some('0') => out.push('\0'),
                Some('\n') => {
                    // A line continuation: skip the next line's indentation.
                    let rest: String = chars.clone().collect();
                    let trimmed = rest.trim_start();
                    let skip = rest.chars().count() - trimmed.chars().count();
                    for _ in 0..skip {
                        chars.next();
                    }
                }
                Some('u') => {
                    let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                    if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        out.push(c);
                    }
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    out
}

fn source_keys() -> BTreeSet<String> {
    fn walk(dir: &Path, keys: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, keys);
            } else if p.extension().is_some_and(|x| x == "rs")
                && !p.ends_with("i18n/tests.rs")
                && let Ok(text) = std::fs::read_to_string(&p)
            {
                keys.extend(keys_in(&text));
            }
        }
    }
    let mut keys = BTreeSet::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut keys,
    );
    keys
}

fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.insert(rest[open + 1..open + close].to_owned());
        rest = &rest[open + close + 1..];
    }
    out
}

#[test]
fn every_key_has_chinese_and_every_chinese_is_used() {
    let used = source_keys();
    assert!(used.len() > 1, "the key scan found no keys");
    let table: HashSet<&str> = zh_entries().map(|(k, _)| k).collect();
    let missing: Vec<&String> = used
        .iter()
        .filter(|k| !table.contains(k.as_str()))
        .collect();
    assert!(missing.is_empty(), "keys with no Chinese: {missing:#?}");
    let unused: Vec<&str> = zh_entries()
        .map(|(k, _)| k)
        .filter(|k| !used.contains(*k))
        .collect();
    assert!(
        unused.is_empty(),
        "Chinese entries no code uses: {unused:#?}"
    );
}

#[test]
fn the_table_has_no_duplicates_or_blanks_and_placeholders_match() {
    let mut seen = HashSet::new();
    for (en, zh) in zh_entries() {
        assert!(seen.insert(en), "duplicate key {en:?}");
        assert!(
            !en.trim().is_empty() && !zh.trim().is_empty(),
            "blank entry for {en:?}"
        );
        assert_eq!(
            placeholders(en),
            placeholders(zh),
            "placeholders differ for {en:?}"
        );
    }
}

#[test]
fn switches_per_thread_and_formats_arguments() {
    set_lang(Lang::Zh);
    assert_eq!(tr("Language"), "语言");
    let other = std::thread::Builder::new()
        .name("i18n-test".into())
        .spawn(|| tr("Language"))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(other, "Language");
    set_lang(Lang::En);
    assert_eq!(tr("Language"), "Language");
    assert_eq!(trf("{n} of {m}", &[("n", &1), ("m", &"x")]), "1 of x");
}

#[test]
fn the_scan_reads_literals_like_rust() {
    let keys = keys_in(
        "let a = tr(\"A \\\"q\\\"\"); trf(\n  \"{n} B\", &[]); str(\"no\"); fn tr(x)\n  /// tr(\"doc\")",
    );
    assert_eq!(keys, vec!["A \"q\"".to_owned(), "{n} B".to_owned()]);
}
