//! Chinese for the teaching views: the socket calls, the state diagram, the
//! Python program and the sticky-packet lab.

/// English → 简体中文.
pub(super) const ZH: &[(&str, &str)] = &[];
