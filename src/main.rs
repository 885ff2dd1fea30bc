//! The `sockbench` binary: parses the command line, starts the engine and
//! runs the window.

use std::process::ExitCode;

use clap::Parser;
use eframe::egui;

use sockbench::app::{SETTINGS_KEY, Settings, WorkbenchApp};
use sockbench::cli::Args;
use sockbench::engine::EngineHandle;
use sockbench::frame_stats::FrameStats;
use sockbench::model::capture::CaptureWriter;
use sockbench::ui::fonts;

fn main() -> ExitCode {
    let args = Args::parse();
    let capture = match &args.capture {
        Some(path) => match CaptureWriter::create(path) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!(
                    "sockbench: cannot write the capture file {}: {e}",
                    path.display()
                );
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Sockbench")
            .with_app_id("sockbench")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 500.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "Sockbench",
        options,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            let stored: Settings = cc
                .storage
                .and_then(|s| eframe::get_value(s, SETTINGS_KEY))
                .unwrap_or_default();
            let mut settings = stored;
            if let Some(encoding) = args.encoding {
                settings.display_encoding = encoding;
                settings.composer.encoding = encoding;
            }
            let ctx = cc.egui_ctx.clone();
            let engine = EngineHandle::spawn(Box::new(move || ctx.request_repaint()))?;
            let mut app = WorkbenchApp::new(engine, settings, capture);
            if let Some(path) = &args.stats {
                app.frame_stats = Some(FrameStats::create(path)?);
            }
            for spec in args.open {
                app.open(spec);
            }
            Ok(Box::new(app))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sockbench: {e}");
            ExitCode::FAILURE
        }
    }
}
