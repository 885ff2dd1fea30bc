//! Every user-visible string, in English and 简体中文, from one place.
//!
//! Code writes the English text and wraps it: `tr("Open")`, or with named
//! arguments `trf("{n} bytes", &[("n", &n)])`. The English text is the key;
//! the tables in this module's files map each key to its Chinese. The language is per thread (the UI
//! thread sets it each frame from the settings), so tests on parallel
//! threads do not disturb each other. A test scans the sources and fails if
//! a key used in `tr`/`trf` has no Chinese, or a Chinese entry is unused.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

/// A language of the UI.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Every language, in menu order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The language's own name (not translated: a reader finds their own).
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
        }
    }
}

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// Sets this thread's language.
pub fn set_lang(lang: Lang) {
    LANG.with(|l| l.set(lang));
}

/// This thread's language.
pub fn lang() -> Lang {
    LANG.with(Cell::get)
}

/// `key` (English text) in this thread's language. An unknown key is shown
/// as it is (and the key test fails).
pub fn tr(key: &'static str) -> &'static str {
    match lang() {
        Lang::En => key,
        Lang::Zh => zh(key).unwrap_or(key),
    }
}

/// A text known only at run time (say, a sentence made on another thread
/// from a [`tr`] key) in this thread's language, if the table has it.
pub fn translate(text: &str) -> Option<&'static str> {
    match lang() {
        Lang::En => None,
        Lang::Zh => zh(text),
    }
}

/// `key` translated, with each `{name}` replaced by its argument.
pub fn trf(key: &'static str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = tr(key).to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), &value.to_string());
    }
    out
}

fn zh(key: &str) -> Option<&'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| zh_entries().collect()).get(key).copied()
}

mod codec;
mod engine;
mod files;
mod lesson;
mod tools;
mod workbench;

/// The Chinese tables, one per part of the UI. Keys are the exact English
/// text passed to [`tr`]/[`trf`] (placeholders such as `{n}` kept in both).
const ZH_TABLES: &[&[(&str, &str)]] = &[
    workbench::ZH,
    lesson::ZH,
    codec::ZH,
    engine::ZH,
    tools::ZH,
    files::ZH,
];

/// Every English key → Chinese entry.
pub fn zh_entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    ZH_TABLES.iter().flat_map(|t| t.iter().copied())
}

#[cfg(test)]
mod tests;
