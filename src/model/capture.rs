//! The capture file (`--capture FILE.jsonl`): every engine event, one JSON
//! object per line, written as it happens.
//!
//! # Line format
//!
//! Each line is one JSON object, keys in this order:
//!
//! ```json
//! {"time":"2026-11-29T23:59:15.123456Z","unix_us":1795996755123456,"socket":3,"event":"received","local":"127.0.0.1:9000","peer":"127.0.0.1:53422","len":5,"hex":"68656c6c6f"}
//! ```
//!
//! Every line has:
//!
//! - `time`: when the engine saw the event, RFC 3339 in UTC with
//!   microseconds (`YYYY-MM-DDTHH:MM:SS.ffffffZ`);
//! - `unix_us`: the same instant in microseconds since 1970-01-01 UTC
//!   (an integer; negative before 1970);
//! - `socket`: the socket's number (`#3` in the window is `3`);
//! - `event`: one of `resolving`, `connecting`, `connected`, `listening`,
//!   `accepted`, `bound`, `received`, `sent`, `kernel_drops`, `peer_closed`,
//!   `write_shutdown`, `failed`, `closed`, `call`, `configured`, `periodic`;
//! - `local`: our address (`127.0.0.1:9000`, `[::1]:9000`), once known;
//! - `peer`: the other end, once known. For UDP `received` and `sent` it is
//!   the datagram's sender or destination, not the socket's default peer.
//!   For `connecting` it is the address being tried.
//!
//! `local` and `peer` are left out while unknown (a listener has no peer; a
//! client has neither until it connects). Then, by event:
//!
//! - `resolving`: `host`, the name being looked up;
//! - `listening`: `backlog`, the `listen()` backlog;
//! - `accepted`: `parent`, the listener's socket number (this line's
//!   `socket` is the new connection);
//! - `bound`: `rcvbuf_bytes`, the kernel receive buffer granted, and
//!   `drop_counting` (`true` when kernel drops are counted);
//! - `received` and `sent`: `len`, the byte count, and `hex`, the exact
//!   bytes in lowercase hex without separators; a UDP `received` whose
//!   datagram was longer than the receive buffer also has `"truncated":true`
//!   and, where the kernel tells it, `datagram_len`, the whole datagram's
//!   length;
//! - `kernel_drops`: `total`, datagrams the kernel dropped for this socket
//!   since it opened;
//! - `failed`: `error`, the message shown in the window; `op`, the call
//!   that failed (`connect()`, `bind()`…); `errno`, its symbolic name
//!   (`ECONNREFUSED`) when the system gave one;
//! - `closed`: `reason`, one of `by_user`, `reset`, `peer_closed`,
//!   `listener_closed`, `error`, `shutdown` (with `error` and `errno` as for
//!   `failed` when it is `error`), and `unsent_bytes`, bytes queued to send
//!   that never went out;
//! - `periodic`: a periodic send started, goes on (a line a second) or
//!   ended: `every_ms`, `count` (`null`: until stopped), `sent`, `missed`
//!   (ticks that passed while the engine was late; never sent in a burst),
//!   `running`, and when it ended early `stopped` (`by_user`,
//!   `socket_closed`, `queue_full`, `cannot_send`);
//! - `call`: `call`, a socket API call the engine made, written as the
//!   Python tutorials write it (`s.bind(('127.0.0.1', 9000))`), and
//!   `result` (`fd 7`, `ok`, …) or, when it failed, `error`, `op`, `errno`.
//!
//! `peer_closed` and `write_shutdown` carry nothing more.

use crate::engine::Addr;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::codec::text::TextEncoding;
use crate::engine::{CloseReason, Event, EventKind, NetError, SockOption, SocketId};
use crate::model::explain::in_english;

/// Writes engine events to a capture file, one JSON object per line.
///
/// Remembers each socket's local and peer address (learned from
/// `connecting`, `connected`, `listening`, `accepted` and `bound` events) so
/// every later line of that socket carries them; forgets a socket when it
/// closes.
pub struct CaptureWriter {
    out: BufWriter<Box<dyn Write + Send>>,
    ends: HashMap<SocketId, Ends>,
    lines: u64,
    /// `None`: JSON lines; else readable text, data shown in this encoding.
    text: Option<TextEncoding>,
}

/// What is known of a socket's two ends.
#[derive(Clone, Debug, Default)]
struct Ends {
    local: Option<Addr>,
    peer: Option<Addr>,
}

impl std::fmt::Debug for CaptureWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureWriter")
            .field("sockets", &self.ends.len())
            .field("lines", &self.lines)
            .finish_non_exhaustive()
    }
}

impl CaptureWriter {
    /// Opens the capture file at `path`: a new file, readable by its owner
    /// only (0600), or with `append` the end of an existing one (or a new
    /// one). A file that exists is never emptied: without `append` it is an
    /// error ([`io::ErrorKind::AlreadyExists`]).
    pub fn open(path: &Path, append: bool) -> io::Result<Self> {
        use std::os::unix::fs::OpenOptionsExt;
        let mut options = std::fs::OpenOptions::new();
        options.mode(0o600);
        if append {
            options.append(true).create(true);
        } else {
            options.write(true).create_new(true);
        }
        let file: File = options.open(path)?;
        Ok(Self::from_writer(Box::new(file)))
    }

    /// Writes to any writer (tests use an in-memory buffer).
    pub fn from_writer(w: Box<dyn Write + Send>) -> Self {
        CaptureWriter {
            out: BufWriter::with_capacity(64 * 1024, w),
            ends: HashMap::new(),
            lines: 0,
            text: None,
        }
    }

    /// Writes readable text instead of JSON: one line per event, with the
    /// time, the socket, the event, its addresses, its other fields as
    /// `key=value`, and data as its length and its text in `encoding`
    /// (undecodable bytes as `\xNN`), e.g.
    /// `2026-12-04T17:30:01.123456Z #2 received 127.0.0.1:9000 <- 127.0.0.1:53422 5 B "hello"`.
    pub fn text(mut self, encoding: TextEncoding) -> Self {
        self.text = Some(encoding);
        self
    }

    /// How many lines have been written.
    pub fn lines_written(&self) -> u64 {
        self.lines
    }

    /// Writes one event as one line (buffered; see [`CaptureWriter::flush`]).
    pub fn write_event(&mut self, ev: &Event) -> io::Result<()> {
        // Kernel state is polled while a view is open: a sample, not traffic.
        if matches!(ev.kind, EventKind::TcpInfo(_) | EventKind::KernelState(_)) {
            return Ok(());
        }
        let ends = self.learn(ev);
        let f = fields(ev, ends.local.as_ref(), ends.peer.as_ref());
        match self.text {
            None => write_line(&mut self.out, &f)?,
            Some(encoding) => super::event_text::write_text_line(&mut self.out, ev, &f, encoding)?,
        }
        self.lines += 1;
        if matches!(ev.kind, EventKind::Closed { .. }) {
            self.ends.remove(&ev.id);
        }
        Ok(())
    }

    /// Pushes buffered lines to the file. The app calls it after each batch
    /// of events.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Updates the socket's known ends from `ev` and returns them.
    fn learn(&mut self, ev: &Event) -> Ends {
        let learned = match &ev.kind {
            EventKind::Connecting { peer } => Some((None, Some(peer))),
            EventKind::Connected { local, peer } | EventKind::Accepted { local, peer, .. } => {
                Some((Some(local), Some(peer)))
            }
            EventKind::Listening { local, .. } | EventKind::Bound { local, .. } => {
                Some((Some(local), None))
            }
            _ => None,
        };
        match learned {
            Some((local, peer)) => {
                let e = self.ends.entry(ev.id).or_default();
                if let Some(l) = local {
                    e.local = Some(l.clone());
                }
                if let Some(p) = peer {
                    e.peer = Some(p.clone());
                }
                e.clone()
            }
            None => self.ends.get(&ev.id).cloned().unwrap_or_default(),
        }
    }
}

/// One event as a JSON object (the fields of one capture line; see the
/// module docs). `local` and `peer` are what is known of the socket; an
/// address the event carries itself (a datagram's sender, the address a
/// client connects to) takes their place.
pub fn event_to_json(ev: &Event, local: Option<&Addr>, peer: Option<&Addr>) -> Value {
    Value::Object(
        fields(ev, local, peer)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Map<_, _>>(),
    )
}

/// Writes `{"k":v,...}\n` keeping the fields' order.
fn write_line(out: &mut impl Write, fields: &[(&'static str, Value)]) -> io::Result<()> {
    out.write_all(b"{")?;
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, k)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, v)?;
    }
    out.write_all(b"}\n")
}

/// The fields of one line, in order.
fn fields(ev: &Event, local: Option<&Addr>, peer: Option<&Addr>) -> Vec<(&'static str, Value)> {
    let us = unix_micros(ev.time);
    let (local, peer) = match &ev.kind {
        EventKind::Connecting { peer } => (local, Some(peer)),
        EventKind::Connected { local, peer } | EventKind::Accepted { local, peer, .. } => {
            (Some(local), Some(peer))
        }
        EventKind::Listening { local, .. } | EventKind::Bound { local, .. } => (Some(local), peer),
        EventKind::Received { from: addr, .. } | EventKind::Sent { to: addr, .. } => {
            (local, addr.as_ref().or(peer))
        }
        _ => (local, peer),
    };
    let mut f: Vec<(&'static str, Value)> = vec![
        ("time", Value::from(format_rfc3339_us(us))),
        ("unix_us", Value::from(us)),
        ("socket", Value::from(ev.id.0)),
        ("event", Value::from(ev.kind.name())),
    ];
    if let Some(local) = local {
        f.push(("local", Value::from(local.to_string())));
    }
    if let Some(peer) = peer {
        f.push(("peer", Value::from(peer.to_string())));
    }
    match &ev.kind {
        EventKind::Resolving { host } => f.push(("host", Value::from(host.as_str()))),
        EventKind::Call { call, result } => {
            f.push(("call", Value::from(call.to_string())));
            match result {
                Ok(r) => f.push((
                    "result",
                    Value::from(in_english(|| crate::model::pycall::result_text(call, r))),
                )),
                Err(e) => push_error(&mut f, e),
            }
        }
        EventKind::Listening { backlog, .. } => f.push(("backlog", Value::from(*backlog))),
        EventKind::Accepted { parent, .. } => f.push(("parent", Value::from(parent.0))),
        EventKind::Bound {
            rcvbuf_bytes,
            drop_counting,
            ..
        } => {
            f.push(("rcvbuf_bytes", Value::from(*rcvbuf_bytes)));
            f.push(("drop_counting", Value::from(*drop_counting)));
        }
        EventKind::Received {
            bytes,
            truncated,
            datagram_len,
            ..
        } => {
            f.push(("len", Value::from(bytes.len())));
            f.push(("hex", Value::from(hex_lower(bytes))));
            if *truncated {
                f.push(("truncated", Value::from(true)));
            }
            if let Some(n) = datagram_len {
                f.push(("datagram_len", Value::from(*n)));
            }
        }
        EventKind::Sent { bytes, .. } => {
            f.push(("len", Value::from(bytes.len())));
            f.push(("hex", Value::from(hex_lower(bytes))));
        }
        EventKind::KernelDrops { total } => f.push(("total", Value::from(*total))),
        EventKind::Failed(e) => push_error(&mut f, e),
        EventKind::Closed {
            reason,
            unsent_bytes,
        } => {
            f.push(("reason", Value::from(reason_code(reason))));
            if let CloseReason::Error(e) = reason {
                push_error(&mut f, e);
            }
            f.push(("unsent_bytes", Value::from(*unsent_bytes)));
        }
        EventKind::Configured(option) => match option {
            SockOption::RecvSize(n) => f.push(("recv_size", Value::from(*n))),
            SockOption::NoDelay(on) => f.push(("tcp_nodelay", Value::from(*on))),
            SockOption::CloseOnPeerClose(on) => {
                f.push(("close_on_peer_close", Value::from(*on)));
            }
        },
        EventKind::TcpInfo(_) | EventKind::KernelState(_) => {}
        EventKind::Writable { queued } => f.push(("queued", Value::from(*queued))),
        EventKind::Reading { on, paused_for } => {
            f.push(("reading", Value::from(*on)));
            if let Some(d) = paused_for {
                f.push(("paused_ms", Value::from(d.as_millis() as u64)));
            }
        }
        EventKind::PortState(sockets) => {
            let list: Vec<Value> = sockets
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "state": s.state.name(),
                        "local": s.local.to_string(),
                        "peer": s.peer.to_string(),
                    })
                })
                .collect();
            f.push(("sockets", Value::from(list)));
        }
        EventKind::FileProgress { sent, total } => {
            f.push(("sent", Value::from(*sent)));
            f.push(("total", Value::from(*total)));
        }
        EventKind::FileDone { sent, total, end } => {
            f.push(("sent", Value::from(*sent)));
            f.push(("total", Value::from(*total)));
            let how = match end {
                crate::engine::FileEnd::Sent => "sent",
                crate::engine::FileEnd::Cancelled => "cancelled",
                crate::engine::FileEnd::SocketClosed => "socket_closed",
                crate::engine::FileEnd::Failed(_) => "failed",
            };
            f.push(("end", Value::from(how)));
            if let crate::engine::FileEnd::Failed(e) = end {
                push_error(&mut f, e);
            }
        }
        EventKind::Reconnecting { attempt, after } => {
            f.push(("attempt", Value::from(*attempt)));
            f.push(("after_ms", Value::from(after.as_secs_f64() * 1e3)));
        }
        EventKind::Periodic(p) => {
            f.push(("every_ms", Value::from(p.every.as_secs_f64() * 1e3)));
            f.push(("count", p.count.map_or(Value::Null, Value::from)));
            f.push(("sent", Value::from(p.sent)));
            f.push(("missed", Value::from(p.missed)));
            f.push(("running", Value::from(p.running)));
            if let Some(why) = p.stopped {
                f.push(("stopped", Value::from(why.name())));
            }
        }
        EventKind::Connecting { .. }
        | EventKind::Connected { .. }
        | EventKind::PeerClosed
        | EventKind::WriteShutdown => {}
    }
    f
}

/// `error`, `op` and (when there is one) `errno`.
fn push_error(f: &mut Vec<(&'static str, Value)>, e: &NetError) {
    f.push(("error", Value::from(in_english(|| e.message()))));
    f.push(("op", Value::from(e.op.call())));
    if let Some(name) = e.errno_name() {
        f.push(("errno", Value::from(name)));
    }
}

/// The machine name of a close reason.
fn reason_code(r: &CloseReason) -> &'static str {
    match r {
        CloseReason::ByUser => "by_user",
        CloseReason::Reset => "reset",
        CloseReason::PeerClosed => "peer_closed",
        CloseReason::ListenerClosed => "listener_closed",
        CloseReason::Error(_) => "error",
        CloseReason::Shutdown => "shutdown",
    }
}

/// Bytes as lowercase hex, no separators.
fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Microseconds since 1970-01-01 UTC (negative before; saturating).
pub fn unix_micros(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_micros()).map_or(i64::MIN, |us| -us),
    }
}

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Formats microseconds since the Unix epoch as RFC 3339 UTC with six
/// fractional digits: `2026-11-29T23:59:15.123456Z`.
pub fn format_rfc3339_us(unix_us: i64) -> String {
    let days = unix_us.div_euclid(MICROS_PER_DAY);
    let in_day = unix_us.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = in_day / 1_000_000;
    let micros = in_day % 1_000_000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01);
/// Howard Hinnant's `civil_from_days`, the inverse of days-from-civil.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = yoe + era * 400 + i64::from(m <= 2);
    // m and d are small and positive by construction.
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::engine::NetOp;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn lines(&self) -> Vec<Value> {
            let buf = self.0.lock().unwrap();
            let text = std::str::from_utf8(&buf).unwrap();
            assert!(text.is_empty() || text.ends_with('\n'));
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        }
    }

    fn at(us: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_micros(us)
    }

    fn ev(id: u64, us: u64, kind: EventKind) -> Event {
        Event {
            id: SocketId(id),
            time: at(us),
            kind,
        }
    }

    fn addr(s: &str) -> Addr {
        s.parse::<std::net::SocketAddr>().unwrap().into()
    }

    fn unhex(s: &str) -> Vec<u8> {
        assert_eq!(s.len() % 2, 0);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn time_formatting() {
        let cases: &[(i64, &str)] = &[
            (0, "1970-01-01T00:00:00.000000Z"),
            (1_795_996_755_123_456, "2026-11-29T23:59:15.123456Z"),
            (951_825_600_000_001, "2000-02-29T12:00:00.000001Z"),
            (253_402_300_799_999_999, "9999-12-31T23:59:59.999999Z"),
            (-1, "1969-12-31T23:59:59.999999Z"),
            (-86_400_000_000, "1969-12-31T00:00:00.000000Z"),
        ];
        for &(us, want) in cases {
            assert_eq!(format_rfc3339_us(us), want, "{us}");
        }
        // Extremes do not panic.
        let _ = format_rfc3339_us(i64::MAX);
        let _ = format_rfc3339_us(i64::MIN);
        assert_eq!(
            unix_micros(at(1_795_996_755_123_456)),
            1_795_996_755_123_456
        );
        assert_eq!(unix_micros(UNIX_EPOCH - Duration::from_micros(5)), -5);
    }

    #[test]
    fn days_round_trip_through_every_day_of_four_centuries() {
        // Walk day by day from 1970 back and forward, checking the calendar
        // advances one day at a time.
        let mut prev = civil_from_days(-146_097);
        for day in -146_096..146_097 {
            let (y, m, d) = civil_from_days(day);
            let (py, pm, pd) = prev;
            let next_day = y == py && m == pm && d == pd + 1;
            let next_month = y == py && m == pm + 1 && d == 1 && pd >= 28;
            let next_year = y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31;
            assert!(
                next_day || next_month || next_year,
                "{day}: {prev:?} -> {:?}",
                (y, m, d)
            );
            prev = (y, m, d);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn hex_is_lowercase_without_separators() {
        assert_eq!(hex_lower(b""), "");
        assert_eq!(hex_lower(b"hello"), "68656c6c6f");
        assert_eq!(hex_lower(&[0x00, 0xff, 0x0a, 0xab]), "00ff0aab");
    }

    #[test]
    fn the_documented_example_line() {
        let buf = Shared::default();
        let mut w = CaptureWriter::from_writer(Box::new(buf.clone()));
        w.write_event(&ev(
            3,
            1_795_996_755_123_456,
            EventKind::Accepted {
                parent: SocketId(1),
                local: addr("127.0.0.1:9000"),
                peer: addr("127.0.0.1:53422"),
            },
        ))
        .unwrap();
        w.write_event(&ev(
            3,
            1_795_996_755_123_456,
            EventKind::Received {
                bytes: b"hello".to_vec(),
                from: None,
                truncated: false,
                datagram_len: None,
            },
        ))
        .unwrap();
        w.flush().unwrap();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1],
            r#"{"time":"2026-11-29T23:59:15.123456Z","unix_us":1795996755123456,"socket":3,"event":"received","local":"127.0.0.1:9000","peer":"127.0.0.1:53422","len":5,"hex":"68656c6c6f"}"#
        );
        assert_eq!(
            lines[0],
            r#"{"time":"2026-11-29T23:59:15.123456Z","unix_us":1795996755123456,"socket":3,"event":"accepted","local":"127.0.0.1:9000","peer":"127.0.0.1:53422","parent":1}"#
        );
        assert_eq!(w.lines_written(), 2);
    }

    #[test]
    fn a_session_round_trips() {
        let buf = Shared::default();
        let mut w = CaptureWriter::from_writer(Box::new(buf.clone()));
        let payload: Vec<u8> = (0..=255).collect();
        let refused = NetError::from_io(
            NetOp::Connect,
            &io::Error::from_raw_os_error(nix::errno::Errno::ECONNREFUSED as i32),
            Some("[::1]:9"),
        );
        let events = vec![
            ev(
                1,
                10,
                EventKind::Listening {
                    local: addr("127.0.0.1:9000"),
                    backlog: 128,
                },
            ),
            ev(
                2,
                11,
                EventKind::Bound {
                    local: addr("0.0.0.0:9001"),
                    rcvbuf_bytes: 425_984,
                    drop_counting: true,
                },
            ),
            ev(
                2,
                12,
                EventKind::Received {
                    bytes: payload.clone(),
                    from: Some(addr("10.0.0.7:5353")),
                    truncated: true,
                    datagram_len: Some(1500),
                },
            ),
            ev(
                2,
                13,
                EventKind::Sent {
                    bytes: vec![],
                    to: Some(addr("10.0.0.8:53")),
                },
            ),
            ev(2, 14, EventKind::KernelDrops { total: 7 }),
            ev(
                4,
                15,
                EventKind::Resolving {
                    host: "localhost".into(),
                },
            ),
            ev(
                4,
                16,
                EventKind::Connecting {
                    peer: addr("[::1]:9"),
                },
            ),
            ev(4, 17, EventKind::Failed(refused.clone())),
            ev(
                4,
                18,
                EventKind::Closed {
                    reason: CloseReason::Error(Box::new(refused)),
                    unsent_bytes: 3,
                },
            ),
            ev(4, 19, EventKind::PeerClosed),
            ev(
                1,
                20,
                EventKind::Closed {
                    reason: CloseReason::ByUser,
                    unsent_bytes: 0,
                },
            ),
        ];
        for e in &events {
            w.write_event(e).unwrap();
        }
        w.flush().unwrap();
        let lines = buf.lines();
        assert_eq!(lines.len(), events.len());
        for (line, e) in lines.iter().zip(&events) {
            assert_eq!(line["event"], e.kind.name());
            assert_eq!(line["socket"], e.id.0);
            assert_eq!(line["unix_us"], unix_micros(e.time));
            assert_eq!(line["time"], format_rfc3339_us(unix_micros(e.time)));
        }
        // Listening.
        assert_eq!(lines[0]["local"], "127.0.0.1:9000");
        assert_eq!(lines[0]["backlog"], 128);
        assert!(lines[0].get("peer").is_none());
        // Bound.
        assert_eq!(lines[1]["rcvbuf_bytes"], 425_984);
        assert_eq!(lines[1]["drop_counting"], true);
        // UDP received: peer is the sender; exact bytes; truncated.
        assert_eq!(lines[2]["local"], "0.0.0.0:9001");
        assert_eq!(lines[2]["peer"], "10.0.0.7:5353");
        assert_eq!(lines[2]["len"], 256);
        assert_eq!(unhex(lines[2]["hex"].as_str().unwrap()), payload);
        assert_eq!(lines[2]["truncated"], true);
        assert_eq!(lines[2]["datagram_len"], 1500);
        // UDP sent: peer is the destination; empty payload.
        assert_eq!(lines[3]["peer"], "10.0.0.8:53");
        assert_eq!(lines[3]["len"], 0);
        assert_eq!(lines[3]["hex"], "");
        assert!(lines[3].get("truncated").is_none());
        assert_eq!(lines[4]["total"], 7);
        assert_eq!(lines[4]["local"], "0.0.0.0:9001");
        assert!(
            lines[4].get("peer").is_none(),
            "no default peer on later lines"
        );
        // Client.
        assert_eq!(lines[5]["host"], "localhost");
        assert!(lines[5].get("local").is_none());
        assert_eq!(lines[6]["peer"], "[::1]:9");
        assert_eq!(lines[7]["peer"], "[::1]:9");
        assert_eq!(lines[7]["errno"], "ECONNREFUSED");
        assert_eq!(lines[7]["op"], "connect()");
        assert!(
            lines[7]["error"]
                .as_str()
                .unwrap()
                .contains("Connection refused")
        );
        assert_eq!(lines[8]["reason"], "error");
        assert_eq!(lines[8]["errno"], "ECONNREFUSED");
        assert_eq!(lines[8]["unsent_bytes"], 3);
        // The closed socket was forgotten.
        assert!(lines[9].get("peer").is_none());
        assert_eq!(lines[10]["reason"], "by_user");
        assert_eq!(lines[10]["local"], "127.0.0.1:9000");
        assert!(lines[10].get("errno").is_none());
    }

    #[test]
    fn event_to_json_uses_the_event_addresses_first() {
        let e = ev(
            5,
            0,
            EventKind::Received {
                bytes: b"\x00\xff".to_vec(),
                from: Some(addr("[::1]:7")),
                truncated: false,
                datagram_len: None,
            },
        );
        let local = addr("[::1]:9");
        let default_peer = addr("127.0.0.1:1");
        let v = event_to_json(&e, Some(&local), Some(&default_peer));
        assert_eq!(v["peer"], "[::1]:7");
        assert_eq!(v["local"], "[::1]:9");
        assert_eq!(v["hex"], "00ff");
        assert_eq!(v["time"], "1970-01-01T00:00:00.000000Z");
        let v = event_to_json(&ev(5, 0, EventKind::WriteShutdown), None, None);
        assert_eq!(
            v,
            serde_json::json!({"time":"1970-01-01T00:00:00.000000Z","unix_us":0,"socket":5,"event":"write_shutdown"})
        );
    }

    #[test]
    fn a_capture_never_empties_an_existing_file_and_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let path = std::env::temp_dir().join(format!(
            "sockbench-capture-test-{}.jsonl",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        let mut w = CaptureWriter::open(&path, false).unwrap();
        w.write_event(&ev(1, 1, EventKind::PeerClosed)).unwrap();
        w.flush().unwrap();
        drop(w);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // A second capture to the same name is refused; the file is kept.
        let e = CaptureWriter::open(&path, false).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        // Appending adds to it.
        let mut w = CaptureWriter::open(&path, true).unwrap();
        w.write_event(&ev(1, 2, EventKind::PeerClosed)).unwrap();
        w.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        let v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(v["event"], "peer_closed");
        assert!(CaptureWriter::open(Path::new("/nonexistent-dir/x.jsonl"), false).is_err());
    }
}
