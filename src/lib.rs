//! Sockbench: a desktop socket workbench.
//!
//! The crate is split the way data flows:
//!
//! - [`engine`] owns every socket on one background I/O thread (a `mio` poll
//!   loop); it takes [`engine::Command`]s and reports [`engine::Event`]s. It
//!   knows nothing of the GUI.
//! - [`codec`] is pure byte work: text encodings, hex, escapes.
//! - [`model`] is the UI's state that is not drawing: the traffic log, the
//!   sockets and their counters, the capture file.
//! - [`i18n`] holds every user-visible string in English and Chinese.
//! - [`lessons`] is the lessons' pages and what each opens and checks.
//! - [`ui`] draws the model and turns clicks into actions; [`app`] ties it
//!   together for eframe.

pub mod app;
pub mod cli;
pub mod cli_zh;
pub mod codec;
pub mod engine;
pub mod frame_stats;
pub mod headless;
pub mod i18n;
pub mod lessons;
pub mod model;
pub mod pump;
pub mod quick;
pub mod rules;
pub mod ui;
pub mod workspace;
