//! The template language of quick-send items and reply rules: text (with
//! escapes, in an encoding) or hex, with `${…}` macros that are filled in
//! each time the payload is made.
//!
//! | macro | yields |
//! |---|---|
//! | `${seq}` | the send's (or the rule's hit's) number, from 1, as decimal text |
//! | `${seq:u8}` `${seq:u16}` `${seq:u32}` (`…le`) | that number as a binary integer, big-endian (or little), wrapping |
//! | `${time}` | local time `HH:MM:SS.mmm` as text; `${time:iso}` RFC 3339 with the offset; `${time:unix}` seconds and `${time:unix_ms}` milliseconds since 1970 as decimal text |
//! | `${rand:N}` | N random bytes (1 ≤ N ≤ 1024) |
//! | `${rx}` | a reply rule's received bytes (the read, or the framed message); `${rx:A:B}` bytes A to B−1 of them (B may be left out) |
//! | `${0}` … `${9}` | a regex rule's capture groups (the whole match is 0), in the socket's encoding |
//! | `${peer}` | the sender's address as text (`127.0.0.1:5000`) |
//! | `${sum8}` `${xor8}` `${crc8}` `${crc8-maxim}` `${crc16-modbus}` `${crc16-ccitt-false}` `${crc16-xmodem}` `${crc32}` | the checksum of every byte before it in the payload (from byte K with `:K`), in its usual byte order or `:be` / `:le` |
//!
//! `$${` gives a literal `${` in text. An item's line ending comes after
//! the expanded text; an item's own checksum setting comes last and covers
//! everything before it, line ending included.

use std::fmt;
use std::time::SystemTime;

use super::checksum::{ByteOrder, Checksum};
use super::compose::{ComposeError, InputMode, LineEnding, build_payload};
use super::hex::HexError;
use super::text::{EncodeError, TextEncoding, encode};
use crate::engine::Addr;
use crate::i18n::trf;

/// The most random bytes one `${rand:N}` makes.
pub const MAX_RAND_BYTES: usize = 1024;

/// Where a template is used: what it may refer to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A payload sent by the user (quick send, periodic send).
    Send,
    /// A reply rule's reply: may use what was received.
    Reply,
}

/// Why a template cannot be read. Positions are 0-based character indices
/// into the whole template; messages show them 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The literal text or hex between macros.
    #[error(transparent)]
    Literal(#[from] ComposeError),
    /// `${` without its `}`.
    Unclosed {
        /// Where the `$` is.
        position: usize,
    },
    /// A macro name not in the language, or a bad argument.
    Unknown {
        /// What was inside the braces.
        text: String,
        /// Where the `$` is.
        position: usize,
    },
    /// A received-bytes macro in a payload that is not a reply.
    OnlyInReply {
        /// What was inside the braces.
        text: String,
        /// Where the `$` is.
        position: usize,
    },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Literal(e) => e.fmt(f),
            TemplateError::Unclosed { position } => {
                let pos = position.saturating_add(1);
                f.write_str(&trf(
                    "the macro at character {pos} has no closing brace",
                    &[("pos", &pos)],
                ))
            }
            TemplateError::Unknown { text, position } => {
                let pos = position.saturating_add(1);
                f.write_str(&trf(
                    "unknown macro ${{text}} at character {pos}; known: seq, time, rand:N, rx, 0-9, peer, sum8, xor8, crc8, crc16-modbus, crc16-ccitt-false, crc16-xmodem, crc32",
                    &[("text", text), ("pos", &pos)],
                ))
            }
            TemplateError::OnlyInReply { text, position } => {
                let pos = position.saturating_add(1);
                f.write_str(&trf(
                    "${{text}} at character {pos} refers to received bytes: it works only in a reply rule",
                    &[("text", text), ("pos", &pos)],
                ))
            }
        }
    }
}

/// How `${seq}` is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SeqForm {
    Decimal,
    /// A binary integer of this many bytes, in this order.
    Binary(usize, ByteOrder),
}

/// How `${time}` is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeForm {
    Clock,
    Iso,
    Unix,
    UnixMs,
}

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Bytes(Vec<u8>),
    Seq(SeqForm),
    Time(TimeForm),
    Rand(usize),
    Rx {
        start: usize,
        end: Option<usize>,
    },
    Group(usize),
    Peer,
    Check {
        sum: Checksum,
        order: ByteOrder,
        from: usize,
    },
}

/// A template read and ready to make payloads.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Template {
    parts: Vec<Part>,
}

/// What the macros are filled in with.
#[derive(Clone, Copy, Debug)]
pub struct Vars<'a> {
    /// The send's number (the rule's hit's), from 1.
    pub seq: u64,
    /// When.
    pub now: SystemTime,
    /// What was received (replies).
    pub rx: &'a [u8],
    /// A regex rule's capture groups, encoded (replies).
    pub groups: &'a [Option<Vec<u8>>],
    /// The sender (replies).
    pub peer: Option<&'a Addr>,
    /// The encoding text macros (`${peer}`) are written in.
    pub encoding: TextEncoding,
}

impl Vars<'_> {
    /// Variables for a user's send number `seq`, now.
    pub fn send(seq: u64, encoding: TextEncoding) -> Vars<'static> {
        Vars {
            seq,
            now: SystemTime::now(),
            rx: &[],
            groups: &[],
            peer: None,
            encoding,
        }
    }
}

/// How an item's text is read and what is added after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Form {
    /// Text or hex.
    pub mode: InputMode,
    /// The encoding of text.
    pub encoding: TextEncoding,
    /// Appended after text (not after hex).
    pub line_ending: LineEnding,
    /// Whether `\r \n \t \\ \0 \xNN` are escapes in text.
    pub escapes: bool,
    /// A checksum appended last, covering everything before it.
    pub checksum: Option<(Checksum, ByteOrder)>,
}

impl Form {
    /// Text in `encoding` with escapes, nothing appended.
    pub fn text(encoding: TextEncoding) -> Form {
        Form {
            mode: InputMode::Text,
            encoding,
            line_ending: LineEnding::None,
            escapes: true,
            checksum: None,
        }
    }

    /// Hex, nothing appended.
    pub fn hex() -> Form {
        Form {
            mode: InputMode::Hex,
            ..Form::text(TextEncoding::Utf8)
        }
    }
}

impl Template {
    /// Reads `input` in `form` for use in `scope`.
    pub fn parse(input: &str, form: Form, scope: Scope) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        // Character index where `literal` starts in `input`.
        let mut literal_start = 0usize;
        let mut rest = input;
        let mut char_pos = 0usize;
        let flush = |literal: &mut String, start: usize, parts: &mut Vec<Part>| {
            if literal.is_empty() {
                return Ok(());
            }
            let bytes = build_payload(
                literal,
                form.mode,
                form.encoding,
                LineEnding::None,
                form.escapes,
            )
            .map_err(|e| TemplateError::Literal(shift(e, start)))?;
            literal.clear();
            push_bytes(parts, &bytes);
            Ok::<(), TemplateError>(())
        };
        while let Some(at) = rest.find('$') {
            let before = &rest[..at];
            literal.push_str(before);
            char_pos += before.chars().count();
            let after = &rest[at..];
            if form.mode == InputMode::Text && after.starts_with("$${") {
                literal.push_str("${");
                char_pos += 3;
                rest = &after[3..];
                continue;
            }
            if !after.starts_with("${") {
                literal.push('$');
                char_pos += 1;
                rest = &after[1..];
                continue;
            }
            let Some(close) = after.find('}') else {
                return Err(TemplateError::Unclosed { position: char_pos });
            };
            flush(&mut literal, literal_start, &mut parts)?;
            let inner = &after[2..close];
            parts.push(macro_part(inner, char_pos, scope)?);
            char_pos += after[..=close].chars().count();
            literal_start = char_pos;
            rest = &after[close + 1..];
        }
        literal.push_str(rest);
        flush(&mut literal, literal_start, &mut parts)?;
        if form.mode == InputMode::Text {
            push_bytes(&mut parts, form.line_ending.bytes());
        }
        if let Some((sum, order)) = form.checksum {
            parts.push(Part::Check {
                sum,
                order,
                from: 0,
            });
        }
        Ok(Template { parts })
    }

    /// Whether every payload it makes is the same (no macro but checksums).
    pub fn is_fixed(&self) -> bool {
        self.parts
            .iter()
            .all(|p| matches!(p, Part::Bytes(_) | Part::Check { .. }))
    }

    /// Its pieces, in order (for writing it in another language).
    pub(crate) fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Whether it uses regex capture groups.
    pub fn uses_groups(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Group(_)))
    }

    /// Makes one payload, appended to `out`.
    pub fn expand_into(&self, vars: &Vars<'_>, out: &mut Vec<u8>) {
        let start = out.len();
        for p in &self.parts {
            match p {
                Part::Bytes(b) => out.extend_from_slice(b),
                Part::Seq(SeqForm::Decimal) => {
                    out.extend_from_slice(vars.seq.to_string().as_bytes())
                }
                Part::Seq(SeqForm::Binary(width, order)) => {
                    let be = vars.seq.to_be_bytes();
                    let mut b = be[8 - width..].to_vec();
                    if *order == ByteOrder::Little {
                        b.reverse();
                    }
                    out.extend_from_slice(&b);
                }
                Part::Time(form) => out.extend_from_slice(time_text(*form, vars.now).as_bytes()),
                Part::Rand(n) => out.extend((0..*n).map(|_| fastrand::u8(..))),
                Part::Rx { start, end } => {
                    let end = end.unwrap_or(vars.rx.len()).min(vars.rx.len());
                    if let Some(b) = vars.rx.get((*start).min(end)..end) {
                        out.extend_from_slice(b);
                    }
                }
                Part::Group(i) => {
                    if let Some(Some(g)) = vars.groups.get(*i) {
                        out.extend_from_slice(g);
                    }
                }
                Part::Peer => {
                    if let Some(p) = vars.peer {
                        out.extend_from_slice(&encode_lossy(vars.encoding, &p.to_string()));
                    }
                }
                Part::Check { sum, order, from } => {
                    let covered = out.get(start.saturating_add(*from)..).unwrap_or_default();
                    let b = sum.bytes(covered, *order);
                    out.extend_from_slice(&b);
                }
            }
        }
    }

    /// Makes one payload.
    pub fn expand(&self, vars: &Vars<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        self.expand_into(vars, &mut out);
        out
    }
}

/// Appends literal bytes, merging with a literal before them.
fn push_bytes(parts: &mut Vec<Part>, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    if let Some(Part::Bytes(b)) = parts.last_mut() {
        b.extend_from_slice(bytes);
    } else {
        parts.push(Part::Bytes(bytes.to_vec()));
    }
}

/// Reads the inside of `${…}`.
fn macro_part(inner: &str, position: usize, scope: Scope) -> Result<Part, TemplateError> {
    let unknown = || TemplateError::Unknown {
        text: inner.to_string(),
        position,
    };
    let mut args = inner.split(':').map(str::trim);
    let name = args.next().unwrap_or_default().to_ascii_lowercase();
    let args: Vec<&str> = args.collect();
    let reply_only = matches!(name.as_str(), "rx" | "peer")
        || (name.len() == 1 && name.as_bytes()[0].is_ascii_digit());
    if reply_only && scope != Scope::Reply {
        return Err(TemplateError::OnlyInReply {
            text: inner.to_string(),
            position,
        });
    }
    let part = match (name.as_str(), args.as_slice()) {
        ("seq", []) => Part::Seq(SeqForm::Decimal),
        ("seq", [form]) => {
            let form = form.to_ascii_lowercase();
            let (width, order) = match form.as_str() {
                "u8" => (1, ByteOrder::Big),
                "u16" | "u16be" => (2, ByteOrder::Big),
                "u16le" => (2, ByteOrder::Little),
                "u32" | "u32be" => (4, ByteOrder::Big),
                "u32le" => (4, ByteOrder::Little),
                _ => return Err(unknown()),
            };
            Part::Seq(SeqForm::Binary(width, order))
        }
        ("time", []) => Part::Time(TimeForm::Clock),
        ("time", [form]) => Part::Time(match form.to_ascii_lowercase().as_str() {
            "iso" => TimeForm::Iso,
            "unix" => TimeForm::Unix,
            "unix_ms" => TimeForm::UnixMs,
            _ => return Err(unknown()),
        }),
        ("rand", [n]) => match n.parse::<usize>() {
            Ok(n) if (1..=MAX_RAND_BYTES).contains(&n) => Part::Rand(n),
            _ => return Err(unknown()),
        },
        ("rx", []) => Part::Rx {
            start: 0,
            end: None,
        },
        ("rx", [a, b]) => {
            let start = a.parse::<usize>().map_err(|_| unknown())?;
            let end = if b.is_empty() {
                None
            } else {
                Some(b.parse::<usize>().map_err(|_| unknown())?)
            };
            Part::Rx { start, end }
        }
        ("peer", []) => Part::Peer,
        (d, []) if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() => {
            Part::Group(usize::from(d.as_bytes()[0] - b'0'))
        }
        (key, args) => {
            let sum = Checksum::from_key(key).ok_or_else(unknown)?;
            let mut order = sum.usual_order();
            let mut from = 0usize;
            for a in args {
                match a.to_ascii_lowercase().as_str() {
                    "be" => order = ByteOrder::Big,
                    "le" => order = ByteOrder::Little,
                    n => from = n.parse::<usize>().map_err(|_| unknown())?,
                }
            }
            Part::Check { sum, order, from }
        }
    };
    Ok(part)
}

/// `now` written as `form` says.
fn time_text(form: TimeForm, now: SystemTime) -> String {
    let since = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    match form {
        TimeForm::Unix => since.as_secs().to_string(),
        TimeForm::UnixMs => since.as_millis().to_string(),
        TimeForm::Clock => chrono::DateTime::<chrono::Local>::from(now)
            .format("%H:%M:%S%.3f")
            .to_string(),
        TimeForm::Iso => chrono::DateTime::<chrono::Local>::from(now)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
    }
}

/// `text` in `encoding`, with `?` for a character it cannot represent.
pub fn encode_lossy(encoding: TextEncoding, text: &str) -> Vec<u8> {
    match encode(encoding, text) {
        Ok(b) => b,
        Err(_) => {
            let mut out = Vec::with_capacity(text.len());
            let mut buf = [0u8; 4];
            for c in text.chars() {
                match encode(encoding, c.encode_utf8(&mut buf)) {
                    Ok(b) => out.extend_from_slice(&b),
                    Err(_) => out.push(b'?'),
                }
            }
            out
        }
    }
}

/// Moves an error's position from within a literal run to within the
/// whole template.
fn shift(err: ComposeError, by: usize) -> ComposeError {
    match err {
        ComposeError::Hex(HexError::InvalidChar { ch, position }) => {
            ComposeError::Hex(HexError::InvalidChar {
                ch,
                position: position.saturating_add(by),
            })
        }
        ComposeError::Hex(HexError::OddDigits { count, position }) => {
            ComposeError::Hex(HexError::OddDigits {
                count,
                position: position.saturating_add(by),
            })
        }
        ComposeError::Escape(e) => ComposeError::Escape(shift_escape(e, by)),
        ComposeError::Encode(EncodeError::Unmappable {
            ch,
            char_index,
            encoding,
        }) => ComposeError::Encode(EncodeError::Unmappable {
            ch,
            char_index: char_index.saturating_add(by),
            encoding,
        }),
    }
}

fn shift_escape(e: super::escape::EscapeError, by: usize) -> super::escape::EscapeError {
    use super::escape::EscapeError as E;
    match e {
        E::UnknownEscape { ch, position } => E::UnknownEscape {
            ch,
            position: position.saturating_add(by),
        },
        E::BadHexEscape { position } => E::BadHexEscape {
            position: position.saturating_add(by),
        },
        E::TrailingBackslash { position } => E::TrailingBackslash {
            position: position.saturating_add(by),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn send(t: &str, form: Form) -> Vec<u8> {
        Template::parse(t, form, Scope::Send)
            .unwrap()
            .expand(&Vars::send(7, form.encoding))
    }

    #[test]
    fn literals_and_sequence_numbers() {
        assert_eq!(
            send("id=${seq}\\r\\n", Form::text(TextEncoding::Utf8)),
            b"id=7\r\n"
        );
        assert_eq!(
            send("AA ${seq:u16} ${seq:u16le} ${seq:u8}", Form::hex()),
            [0xAA, 0, 7, 7, 0, 7]
        );
        assert_eq!(send("${seq:u32}", Form::hex()), [0, 0, 0, 7]);
        assert_eq!(
            send("心跳", Form::text(TextEncoding::Gbk)),
            [0xD0, 0xC4, 0xCC, 0xF8]
        );
        assert_eq!(
            send("cost $5 $${x}", Form::text(TextEncoding::Utf8)),
            b"cost $5 ${x}"
        );
        let t = Template::parse("a", Form::text(TextEncoding::Utf8), Scope::Send).unwrap();
        assert!(t.is_fixed());
    }

    /// The checksum macro covers the bytes before it (from `:K`); the
    /// form's checksum comes after the line ending and covers everything.
    #[test]
    fn checksums_in_templates() {
        assert_eq!(
            send("01 03 00 00 00 0A ${crc16-modbus}", Form::hex()),
            [1, 3, 0, 0, 0, 0x0A, 0xC5, 0xCD]
        );
        assert_eq!(send("01 02 ${sum8:be}", Form::hex()), [1, 2, 3]);
        assert_eq!(
            send("AA 01 02 ${sum8:1} 55", Form::hex()),
            [0xAA, 1, 2, 3, 0x55]
        );
        assert_eq!(send("${crc16-xmodem:le}", Form::hex()), [0, 0]);
        let form = Form {
            line_ending: LineEnding::CrLf,
            checksum: Some((Checksum::Xor8, ByteOrder::Big)),
            ..Form::text(TextEncoding::Utf8)
        };
        assert_eq!(send("A", form), [b'A', b'\r', b'\n', b'A' ^ b'\r' ^ b'\n']);
        // Hex gets no line ending.
        let form = Form {
            line_ending: LineEnding::CrLf,
            checksum: Some((Checksum::Sum8, ByteOrder::Big)),
            ..Form::hex()
        };
        assert_eq!(send("01 02", form), [1, 2, 3]);
    }

    #[test]
    fn random_bytes_and_time() {
        let t = Template::parse("${rand:16}", Form::hex(), Scope::Send).unwrap();
        assert!(!t.is_fixed());
        let a = t.expand(&Vars::send(1, TextEncoding::Utf8));
        let b = t.expand(&Vars::send(1, TextEncoding::Utf8));
        assert_eq!(a.len(), 16);
        assert_ne!(a, b, "16 random bytes twice alike");
        let clock = String::from_utf8(send("${time}", Form::text(TextEncoding::Utf8))).unwrap();
        assert_eq!(clock.len(), "08:00:00.000".len(), "{clock}");
        assert_eq!(clock.as_bytes()[2], b':');
        let unix = String::from_utf8(send("${time:unix}", Form::text(TextEncoding::Utf8))).unwrap();
        assert!(unix.parse::<u64>().unwrap() > 1_700_000_000);
        let iso = String::from_utf8(send("${time:iso}", Form::text(TextEncoding::Utf8))).unwrap();
        assert!(iso.contains('T'), "{iso}");
    }

    #[test]
    fn reply_macros() {
        let t = Template::parse(
            "got ${rx} ${rx:1:3} ${rx:2:} ${1} from ${peer}",
            Form::text(TextEncoding::Utf8),
            Scope::Reply,
        )
        .unwrap();
        let peer = Addr::from("127.0.0.1:5000".parse::<std::net::SocketAddr>().unwrap());
        let groups = [Some(b"whole".to_vec()), Some(b"g1".to_vec())];
        let out = t.expand(&Vars {
            seq: 1,
            now: SystemTime::now(),
            rx: b"abcd",
            groups: &groups,
            peer: Some(&peer),
            encoding: TextEncoding::Utf8,
        });
        assert_eq!(out, b"got abcd bc cd g1 from 127.0.0.1:5000");
        // Out of range slices give what is there.
        let t = Template::parse("${rx:3:99}${rx:9:}${5}", Form::hex(), Scope::Reply).unwrap();
        let out = t.expand(&Vars {
            rx: b"abcd",
            ..Vars::send(1, TextEncoding::Utf8)
        });
        assert_eq!(out, b"d");
    }

    #[test]
    fn errors_say_where() {
        let e = |t: &str, form: Form| Template::parse(t, form, Scope::Send).unwrap_err();
        assert_eq!(
            e("ab${seq", Form::text(TextEncoding::Utf8)),
            TemplateError::Unclosed { position: 2 }
        );
        assert!(matches!(
            e("0A${bogus}", Form::hex()),
            TemplateError::Unknown { position: 2, .. }
        ));
        assert!(matches!(
            e("${rand:0}", Form::hex()),
            TemplateError::Unknown { .. }
        ));
        assert!(matches!(
            e("${rand:4096}", Form::hex()),
            TemplateError::Unknown { .. }
        ));
        assert!(matches!(
            e("${rx}", Form::hex()),
            TemplateError::OnlyInReply { .. }
        ));
        assert!(matches!(
            e("${1}", Form::hex()),
            TemplateError::OnlyInReply { .. }
        ));
        // Positions count the whole template.
        assert_eq!(
            e("${seq} 0G", Form::hex()),
            TemplateError::Literal(ComposeError::Hex(HexError::InvalidChar {
                ch: 'G',
                position: 8
            }))
        );
        assert!(matches!(
            e("${seq}\\q", Form::text(TextEncoding::Utf8)),
            TemplateError::Literal(ComposeError::Escape(
                super::super::escape::EscapeError::UnknownEscape { position: 6, .. }
            ))
        ));
        assert!(matches!(
            e("ok${seq}😀", Form::text(TextEncoding::Gbk)),
            TemplateError::Literal(ComposeError::Encode(EncodeError::Unmappable {
                char_index: 8,
                ..
            }))
        ));
        assert!(e("${nope}", Form::hex()).to_string().contains("${nope}"));
    }

    #[test]
    fn lossy_encoding() {
        assert_eq!(
            encode_lossy(TextEncoding::Gbk, "a\u{FFFD}心"),
            [b'a', b'?', 0xD0, 0xC4]
        );
    }
}
