//! Exporting the traffic log to a file: every row the log holds, or the
//! rows the view shows (its socket filter), as plain text, an offset hex
//! dump, CSV or JSON lines. The rows are copied out under the model's lock
//! ([`snapshot`]) and written on a thread of their own ([`spawn_export`]),
//! so a large log never holds up the window.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::codec::hex::{format_hex, hex_dump_line};
use crate::codec::text::{TextEncoding, decode_display};
use crate::model::Model;
use crate::model::capture::format_rfc3339_us;
use crate::model::log::EntryKind;

/// The file formats a log exports to.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum ExportFormat {
    /// One line a row: time, socket, event, peer, length, text.
    #[default]
    Text,
    /// A header line a row, then its bytes as an offset hex dump.
    HexDump,
    /// RFC 4180 CSV with a header: time, socket, event, peer, length,
    /// text, hex.
    Csv,
    /// One JSON object a line (`time`, `unix_us`, `socket`, `event`,
    /// `peer`, `len`, `text`, `hex`, `message`).
    JsonLines,
}

impl ExportFormat {
    /// Every format, in menu order.
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::Text,
        ExportFormat::HexDump,
        ExportFormat::Csv,
        ExportFormat::JsonLines,
    ];

    /// The format's name in menus.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Text => crate::i18n::tr("Text"),
            ExportFormat::HexDump => crate::i18n::tr("Hex dump"),
            ExportFormat::Csv => "CSV",
            ExportFormat::JsonLines => crate::i18n::tr("JSON lines"),
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Text => "txt",
            ExportFormat::HexDump => "hex.txt",
            ExportFormat::Csv => "csv",
            ExportFormat::JsonLines => "jsonl",
        }
    }
}

/// One row, copied out of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRow {
    /// When, in microseconds since the Unix epoch.
    pub time_us: u64,
    /// The socket's number.
    pub socket: u64,
    /// What the row records.
    pub kind: EntryKind,
    /// The peer, as text (empty: none).
    pub peer: String,
    /// A data row's bytes.
    pub payload: Vec<u8>,
    /// A data row's bytes as text, in its socket's encoding; another
    /// row's message.
    pub text: String,
}

/// Copies out the rows to export: every row the log holds, or (`shown`)
/// the rows its filter lets through.
pub fn snapshot(model: &Model, shown: bool) -> Vec<ExportRow> {
    let log = &model.log;
    let encoding = |id| {
        model
            .sessions
            .get(&id)
            .map_or(TextEncoding::Utf8, |s| s.encoding)
    };
    let rows: Box<dyn Iterator<Item = u64>> = if shown {
        Box::new((0..log.visible_len()).filter_map(|n| log.visible_index(n)))
    } else {
        let first = log.first_index();
        Box::new(first..first + log.len() as u64)
    };
    rows.filter_map(|i| {
        let e = log.get(i)?;
        let data = e.kind.is_data();
        Some(ExportRow {
            time_us: e.time_us,
            socket: e.socket.id().0,
            kind: e.kind,
            peer: log
                .peer(e.peer)
                .map(|p| crate::model::explain::Shown(p).to_string())
                .unwrap_or_default(),
            payload: if data { e.payload.to_vec() } else { Vec::new() },
            text: if data {
                decode_display(encoding(e.socket.id()), &e.payload)
            } else {
                log.message(i)
            },
        })
    })
    .collect()
}

/// `time_us` (microseconds since the Unix epoch) as local time in the
/// `chrono` format `format` (`?` if out of range).
pub fn local_time_as(time_us: u64, format: &str) -> String {
    i64::try_from(time_us)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_micros)
        .map(|t| t.with_timezone(&chrono::Local).format(format).to_string())
        .unwrap_or_else(|| "?".into())
}

fn local_time(time_us: u64) -> String {
    local_time_as(time_us, "%Y-%m-%d %H:%M:%S%.6f")
}

/// A CSV field, quoted when it must be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Writes `rows` to `out` in `format`.
pub fn write_rows(rows: &[ExportRow], format: ExportFormat, out: &mut dyn Write) -> io::Result<()> {
    if format == ExportFormat::Csv {
        writeln!(out, "time,socket,event,peer,len,text,hex")?;
    }
    for r in rows {
        let data = r.kind.is_data();
        let len = if data {
            r.payload.len().to_string()
        } else {
            String::new()
        };
        match format {
            ExportFormat::Text => {
                // One line a row: a text's line breaks are written escaped.
                let text = r.text.replace('\n', "\\n").replace('\r', "\\r");
                writeln!(
                    out,
                    "{}  #{}  {} {}  {}  {}  {}",
                    local_time(r.time_us),
                    r.socket,
                    r.kind.direction(),
                    r.kind.name(),
                    r.peer,
                    len,
                    text
                )?;
            }
            ExportFormat::HexDump => {
                writeln!(
                    out,
                    "{}  #{}  {} {}  {}  {}",
                    local_time(r.time_us),
                    r.socket,
                    r.kind.direction(),
                    r.kind.name(),
                    r.peer,
                    if data {
                        format!("{len} bytes")
                    } else {
                        r.text.clone()
                    }
                )?;
                for (i, line) in r.payload.chunks(16).enumerate() {
                    writeln!(out, "{}", hex_dump_line(line, i * 16, 16))?;
                }
            }
            ExportFormat::Csv => {
                writeln!(
                    out,
                    "{},{},{},{},{},{},{}",
                    format_rfc3339_us(r.time_us as i64),
                    r.socket,
                    r.kind.name(),
                    csv_field(&r.peer),
                    len,
                    csv_field(&r.text),
                    format_hex(&r.payload)
                )?;
            }
            ExportFormat::JsonLines => {
                let mut v = serde_json::json!({
                    "time": format_rfc3339_us(r.time_us as i64),
                    "unix_us": r.time_us,
                    "socket": r.socket,
                    "event": r.kind.name(),
                });
                if !r.peer.is_empty() {
                    v["peer"] = r.peer.clone().into();
                }
                if data {
                    v["len"] = r.payload.len().into();
                    v["text"] = r.text.clone().into();
                    v["hex"] = format_hex(&r.payload).into();
                } else {
                    v["message"] = r.text.clone().into();
                }
                writeln!(out, "{v}")?;
            }
        }
    }
    Ok(())
}

/// Writes `rows` to the file at `path` (created, or replaced).
pub fn export_to(path: &Path, rows: &[ExportRow], format: ExportFormat) -> io::Result<()> {
    let mut out = io::BufWriter::new(std::fs::File::create(path)?);
    write_rows(rows, format, &mut out)?;
    out.flush()
}

/// How an export on its thread ended: the rows written, or why not.
pub type ExportResult = Result<(PathBuf, usize), String>;

/// Writes `rows` to `path` on a thread (`sockbench-export`); the receiver
/// gets the outcome.
pub fn spawn_export(
    path: PathBuf,
    rows: Vec<ExportRow>,
    format: ExportFormat,
) -> io::Result<crossbeam_channel::Receiver<ExportResult>> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::Builder::new()
        .name("sockbench-export".into())
        .spawn(move || {
            let r = export_to(&path, &rows, format)
                .map(|()| (path.clone(), rows.len()))
                .map_err(|e| format!("{}: {e}", path.display()));
            let _ = tx.send(r);
        })?;
    Ok(rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<ExportRow> {
        vec![
            ExportRow {
                time_us: 1_700_000_000_000_000,
                socket: 3,
                kind: EntryKind::Received,
                peer: "127.0.0.1:5000".into(),
                payload: b"a,\"b\"\n\x01".to_vec(),
                text: "a,\"b\"\n\\x01".into(),
            },
            ExportRow {
                time_us: 1_700_000_000_000_001,
                socket: 3,
                kind: EntryKind::Closed,
                peer: String::new(),
                payload: Vec::new(),
                text: "closed".into(),
            },
        ]
    }

    fn written(format: ExportFormat) -> String {
        let mut out = Vec::new();
        write_rows(&rows(), format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_what_it_must_and_keeps_the_bytes() {
        let csv = written(ExportFormat::Csv);
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("time,socket,event,peer,len,text,hex"));
        assert!(csv.contains(
            ",3,received,127.0.0.1:5000,7,\"a,\"\"b\"\"\n\\x01\",61 2C 22 62 22 0A 01\n"
        ));
        assert!(csv.contains(",3,closed,,,closed,\n"));
    }

    #[test]
    fn json_lines_are_one_object_each() {
        let js = written(ExportFormat::JsonLines);
        let v: Vec<serde_json::Value> = js
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0]["event"], "received");
        assert_eq!(v[0]["len"], 7);
        assert_eq!(v[0]["hex"], "61 2C 22 62 22 0A 01");
        assert_eq!(v[1]["message"], "closed");
        assert_eq!(v[0]["unix_us"], 1_700_000_000_000_000u64);
    }

    #[test]
    fn text_is_a_line_a_row_and_the_dump_has_offsets() {
        let text = written(ExportFormat::Text);
        assert_eq!(text.lines().count(), 2);
        assert!(text.lines().next().unwrap().ends_with("7  a,\"b\"\\n\\x01"));
        let dump = written(ExportFormat::HexDump);
        assert!(dump.contains("00000000  61 2C 22 62 22 0A 01"));
        assert_eq!(dump.lines().count(), 3);
    }
}
