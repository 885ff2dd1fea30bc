//! One event as a line of readable text, for the headless mode's standard
//! output (see [`super::capture::CaptureWriter::text`]): the time, the
//! socket, the event, its addresses, its other capture fields as
//! `key=value`, a call as `call -> result`, and data as its length and its
//! text with escapes.

use std::io::{self, Write};

use serde_json::Value;

use crate::codec::text::TextEncoding;
use crate::engine::{Event, EventKind};

/// One event as a line of readable text (see [`CaptureWriter::text`]).
pub(crate) fn write_text_line(
    out: &mut impl Write,
    ev: &Event,
    fields: &[(&'static str, Value)],
    encoding: TextEncoding,
) -> io::Result<()> {
    let get = |k: &str| fields.iter().find(|(key, _)| *key == k).map(|(_, v)| v);
    let plain = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut line = String::with_capacity(128);
    if let Some(t) = get("time") {
        line.push_str(&plain(t));
    }
    line.push_str(&format!(" {} {}", ev.id, ev.kind.name()));
    if let EventKind::Call { call, .. } = &ev.kind {
        let result = get("result").or_else(|| get("error")).map(plain);
        line.push_str(&format!(" {call} -> {}\n", result.unwrap_or_default()));
        return out.write_all(line.as_bytes());
    }
    let (local, peer) = (get("local").map(plain), get("peer").map(plain));
    let arrow = match ev.kind {
        EventKind::Received { .. } => " <- ",
        EventKind::Sent { .. } => " -> ",
        _ => " peer ",
    };
    match (local, peer) {
        (Some(l), Some(p)) => line.push_str(&format!(" {l}{arrow}{p}")),
        (Some(l), None) => line.push_str(&format!(" {l}")),
        (None, Some(p)) => line.push_str(&format!("{arrow}{p}")),
        (None, None) => {}
    }
    for (k, v) in fields {
        if matches!(
            *k,
            "time" | "unix_us" | "socket" | "event" | "local" | "peer" | "hex" | "len"
        ) {
            continue;
        }
        line.push_str(&format!(" {k}={}", plain(v)));
    }
    if let EventKind::Received { bytes, .. } | EventKind::Sent { bytes, .. } = &ev.kind {
        let text = crate::codec::text::decode_display(encoding, bytes);
        // decode_display already shows control characters and bytes that
        // do not decode as escapes (\r, \xFF).
        line.push_str(&format!(" {} B \"{text}\"", bytes.len()));
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}
