//! The `sockbench` binary: parses the command line, starts the engine and
//! runs the window.

use std::process::ExitCode;

use eframe::egui;

use sockbench::app::{SETTINGS_KEY, Settings, WorkbenchApp, protect_settings_dir};
use sockbench::engine::EngineHandle;
use sockbench::frame_stats::FrameStats;
use sockbench::model::capture::CaptureWriter;
use sockbench::ui::fonts;

/// The app id: the window's class and the settings directory's name.
const APP_ID: &str = "sockbench";

/// On SIGINT or SIGTERM the window closes as if its close button was
/// clicked: settings saved, every socket closed and its last events in the
/// capture. A second signal ends the process at once.
fn close_on_signals(ctx: egui::Context) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("sockbench-signals".into())
        .spawn(move || {
            let mut asked = false;
            for signal in signals.forever() {
                if asked {
                    eprintln!("sockbench: second signal {signal}: exiting now");
                    std::process::exit(128 + signal);
                }
                asked = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                ctx.request_repaint();
            }
        })?;
    Ok(())
}

fn main() -> ExitCode {
    let args = sockbench::cli::parse();
    let capture = match &args.capture {
        Some(path) => match CaptureWriter::open(path, args.append) {
            Ok(c) => Some(c),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                eprintln!(
                    "sockbench: the capture file {} already exists; a capture never overwrites \
                     a file: give another name, remove it, or add --append to add to its end",
                    path.display()
                );
                return ExitCode::from(2);
            }
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
    // A workspace named on the command line must be readable: said before
    // any window opens.
    let workspace = match &args.workspace {
        Some(path) => match sockbench::workspace::Workspace::load(path) {
            Ok(w) => Some((path.clone(), w)),
            Err(e) => {
                eprintln!("sockbench: cannot open the workspace: {e}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    if args.headless {
        return sockbench::headless::run(sockbench::headless::Headless {
            open: args.open,
            json: args.json,
            encoding: args.encoding.unwrap_or_default(),
            capture,
        });
    }
    // A new capture file that stayed empty (the window never opened) is
    // not left behind.
    let new_capture = args.capture.clone().filter(|_| !args.append);
    if let Some(dir) = eframe::storage_dir(APP_ID)
        && let Err(e) = protect_settings_dir(&dir)
    {
        eprintln!(
            "sockbench: warning: could not make the settings in {} private: {e}",
            dir.display()
        );
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Sockbench")
            .with_app_id(APP_ID)
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
            sockbench::i18n::set_lang(settings.lang);
            let ctx = cc.egui_ctx.clone();
            close_on_signals(ctx.clone())?;
            // The pump asks for frames as it folds events in (capped rate).
            let engine = EngineHandle::spawn_headless()?;
            let mut app = WorkbenchApp::with_repaint(
                engine,
                settings,
                capture,
                Box::new(move |after| ctx.request_repaint_after(after)),
            )?;
            if let Some(path) = &args.stats {
                app.frame_stats = Some(FrameStats::create(path)?);
            }
            match workspace {
                Some((path, w)) => app.open_loaded_workspace(&path, w),
                None if app.settings.reopen_workspace
                    && !app.settings.workspace_path.is_empty() =>
                {
                    let path = std::path::PathBuf::from(&app.settings.workspace_path);
                    app.open_workspace_file(&path);
                }
                None => {}
            }
            for spec in args.open {
                app.open(spec);
            }
            if let Some(lesson) = args.lesson {
                app.settings.show_lessons = true;
                app.settings.lesson = lesson;
                app.execute(sockbench::ui::Action::StartLesson(lesson));
            }
            Ok(Box::new(app))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(path) = new_capture
                && std::fs::metadata(&path).is_ok_and(|m| m.len() == 0)
            {
                let _ = std::fs::remove_file(&path);
            }
            eprintln!("sockbench: {e}");
            ExitCode::FAILURE
        }
    }
}
