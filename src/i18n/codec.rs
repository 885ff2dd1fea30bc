//! Chinese for the errors of the byte codecs (hex, escapes, encodings,
//! framing, `struct` formats) and of the engine (network errors).

/// English → 简体中文.
pub(super) const ZH: &[(&str, &str)] = &[];
