//! Headless mode (`sockbench --headless --open …`): the same engine and pump
//! as the window, no window. Every event is printed to standard output as
//! it happens — readable text, or with `--json` the capture's JSON lines —
//! and written to the `--capture` file if one is given. SIGINT or SIGTERM
//! shuts down cleanly (every socket closed, its last events printed and
//! captured); so does the end of the last open socket.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use crate::codec::text::TextEncoding;
use crate::engine::{EngineHandle, SocketSpec};
use crate::model::Model;
use crate::model::capture::CaptureWriter;
use crate::model::session::SessionState;
use crate::pump::Pump;

/// What the headless mode's exit code says.
///
/// - 0: stopped by SIGINT or SIGTERM, or every socket closed with no error;
/// - 1: every socket closed and one of them because of an error (a bind or
///   connect that failed, a reset, …), or writing the output failed, or
///   the engine could not start;
/// - 2: the command line was wrong (as for the window).
pub const EXIT_CODES: &str = "0: stopped by SIGINT/SIGTERM, or every socket closed without an error; \
1: every socket closed and one of them with an error, or the output failed; \
2: bad command line";

/// How long the engine waits for the pump to take each of its last batches.
const SHUTDOWN_DELIVERY: Duration = Duration::from_secs(10);
/// How often the signals and the sockets are looked at.
const TICK: Duration = Duration::from_millis(50);
/// The log the headless model keeps (only the counters matter here).
const LOG_CAP_BYTES: usize = 1024 * 1024;

/// Options of a headless run.
#[derive(Debug)]
pub struct Headless {
    /// Sockets to open.
    pub open: Vec<SocketSpec>,
    /// Print JSON lines instead of text.
    pub json: bool,
    /// The encoding data is shown in (text output).
    pub encoding: TextEncoding,
    /// The capture file, already opened.
    pub capture: Option<CaptureWriter>,
}

/// Runs until a signal or until every socket has closed.
pub fn run(opts: Headless) -> ExitCode {
    if opts.open.is_empty() {
        eprintln!("sockbench: --headless needs at least one --open SPEC (see --help)");
        return ExitCode::from(2);
    }
    let signals = match signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sockbench: cannot watch for signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut engine = match EngineHandle::spawn_headless() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("sockbench: the socket engine did not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let stdout = CaptureWriter::from_writer(Box::new(std::io::stdout()));
    let stdout = if opts.json {
        stdout
    } else {
        stdout.text(opts.encoding)
    };
    let mut writers = vec![stdout];
    writers.extend(opts.capture);
    let model = Arc::new(Mutex::new(Model::with_log_cap(LOG_CAP_BYTES)));
    model.lock().default_encoding = opts.encoding;
    let mut pump = match Pump::start(
        engine.event_source(),
        Arc::clone(&model),
        writers,
        Box::new(|_| {}),
    ) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("sockbench: the pump did not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut signals = signals;
    for spec in opts.open {
        // The session exists before the engine's first event for it.
        let mut m = model.lock();
        match engine.open(spec.clone()) {
            Ok(id) => m.opening(id, &spec),
            Err(e) => eprintln!("sockbench: could not open {spec}: {e}"),
        }
    }
    let mut code = ExitCode::SUCCESS;
    loop {
        if signals.pending().next().is_some() {
            break;
        }
        if let Some(e) = pump.capture_error() {
            eprintln!("sockbench: writing the output failed: {e}");
            code = ExitCode::FAILURE;
            break;
        }
        {
            let m = model.lock();
            let all_closed = m.sessions.values().all(|s| s.state.is_closed());
            if all_closed {
                let failed = m.sessions.values().any(|s| {
                    matches!(
                        s.state,
                        SessionState::Closed(crate::engine::CloseReason::Error(_))
                    )
                });
                if failed {
                    code = ExitCode::FAILURE;
                }
                break;
            }
        }
        std::thread::sleep(TICK);
    }
    engine.shutdown_delivering(SHUTDOWN_DELIVERY);
    pump.join();
    code
}
