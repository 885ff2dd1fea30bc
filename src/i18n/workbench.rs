//! Chinese for the workbench: the window, the socket form, the socket
//! list, the log and the composer.

/// English → 简体中文.
pub(super) const ZH: &[(&str, &str)] = &[("Language", "语言")];
