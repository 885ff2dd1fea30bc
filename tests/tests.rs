//! Sockbench's integration tests, in one binary (one link step): engine
//! tests over real loopback sockets, and UI flows driven with egui_kittest.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engine;
mod faults;
mod files;
mod headless;
mod hooks;
mod lesson;
mod periodic;
mod pump;
mod python;
mod ui;
mod ui_faults;
mod ui_files;
mod ui_lesson;
mod ui_lessons;
mod ui_tools;
mod ui_unix;
mod ui_zh;
mod unix;
mod util;
