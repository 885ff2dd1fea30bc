//! Sockbench's integration tests, in one binary (one link step): engine
//! tests over real loopback sockets, and UI flows driven with egui_kittest.

mod engine;
mod ui;
mod util;
