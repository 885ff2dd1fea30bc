//! Text encodings: encoding typed text to bytes, decoding received bytes for
//! display (with undecodable bytes shown visibly), and splitting a TCP byte
//! stream so that a character cut across two reads is known as such: each
//! row shows its own bytes, the pieces of a cut character marked partial.

use std::borrow::Cow;
use std::fmt;

use encoding_rs::{DecoderResult, Encoding};

use crate::i18n::trf;

/// A text encoding the user can choose for sending and displaying text.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum TextEncoding {
    /// UTF-8.
    #[default]
    Utf8,
    /// GBK (simplified Chinese), as the WHATWG Encoding Standard defines it.
    Gbk,
    /// GB18030 (simplified Chinese, covers all of Unicode).
    Gb18030,
    /// Big5 (traditional Chinese).
    Big5,
    /// Shift_JIS (Japanese).
    ShiftJis,
    /// True ISO-8859-1: byte `n` is the character `U+00nn`, for all 256 bytes.
    Latin1,
}

impl TextEncoding {
    /// Every encoding, in the order a menu should list them.
    pub const ALL: [TextEncoding; 6] = [
        TextEncoding::Utf8,
        TextEncoding::Gbk,
        TextEncoding::Gb18030,
        TextEncoding::Big5,
        TextEncoding::ShiftJis,
        TextEncoding::Latin1,
    ];

    /// The name shown to users: "UTF-8", "GBK", "GB18030", "Big5",
    /// "Shift_JIS" or "ISO-8859-1".
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gbk => "GBK",
            TextEncoding::Gb18030 => "GB18030",
            TextEncoding::Big5 => "Big5",
            TextEncoding::ShiftJis => "Shift_JIS",
            TextEncoding::Latin1 => "ISO-8859-1",
        }
    }

    /// Parses a name, ignoring case, surrounding whitespace and the
    /// separators `-`, `_` and space: "utf8", "UTF-8", "gbk", "cp936",
    /// "gb18030", "big5", "shift_jis", "sjis", "latin1", "iso-8859-1", ...
    pub fn from_label(s: &str) -> Option<Self> {
        let key: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match key.as_str() {
            "utf8" => Some(TextEncoding::Utf8),
            "gbk" | "cp936" | "windows936" => Some(TextEncoding::Gbk),
            "gb18030" => Some(TextEncoding::Gb18030),
            "big5" | "cp950" => Some(TextEncoding::Big5),
            "shiftjis" | "sjis" | "cp932" | "windows31j" => Some(TextEncoding::ShiftJis),
            "latin1" | "l1" | "iso88591" => Some(TextEncoding::Latin1),
            _ => None,
        }
    }

    /// The `encoding_rs` encoding behind this one; `None` for ISO-8859-1,
    /// which is done by hand (`encoding_rs` maps that label to
    /// windows-1252, which is not Latin-1).
    fn encoding_rs(self) -> Option<&'static Encoding> {
        match self {
            TextEncoding::Utf8 => Some(encoding_rs::UTF_8),
            TextEncoding::Gbk => Some(encoding_rs::GBK),
            TextEncoding::Gb18030 => Some(encoding_rs::GB18030),
            TextEncoding::Big5 => Some(encoding_rs::BIG5),
            TextEncoding::ShiftJis => Some(encoding_rs::SHIFT_JIS),
            TextEncoding::Latin1 => None,
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why text could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A character has no representation in the chosen encoding.
    Unmappable {
        /// The character that cannot be encoded.
        ch: char,
        /// Its position in the text, counted in characters from 0.
        char_index: usize,
        /// The encoding that lacks it.
        encoding: TextEncoding,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            EncodeError::Unmappable {
                ch,
                char_index,
                encoding,
            } => {
                let code = format!("{:04X}", u32::from(*ch));
                let pos = char_index.saturating_add(1);
                trf(
                    "'{ch}' (U+{code}) at character {pos} cannot be represented in {encoding}",
                    &[
                        ("code", &code),
                        ("pos", &pos),
                        ("encoding", encoding),
                        ("ch", ch),
                    ],
                )
            }
        };
        f.write_str(&text)
    }
}

/// Encodes `text` in `encoding`, failing on the first character the
/// encoding cannot represent (never substituting anything).
pub fn encode(encoding: TextEncoding, text: &str) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(text.len());
    encode_into(encoding, text, &mut out)?;
    Ok(out)
}

/// Like [`encode`], but appends to `out`. On error, `out` may hold the
/// bytes of the characters before the unmappable one.
pub fn encode_into(
    encoding: TextEncoding,
    text: &str,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let Some(rs) = encoding.encoding_rs() else {
        return encode_latin1(text, out);
    };
    if rs == encoding_rs::UTF_8 {
        out.extend_from_slice(text.as_bytes());
        return Ok(());
    }
    let mut encoder = rs.new_encoder();
    let mut consumed = 0usize;
    loop {
        let rest = text.get(consumed..).unwrap_or("");
        let room = encoder
            .max_buffer_length_from_utf8_without_replacement(rest.len())
            .unwrap_or(64 * 1024)
            .max(16);
        let start = out.len();
        out.resize(start.saturating_add(room), 0);
        let dst = out.get_mut(start..).unwrap_or_default();
        let (result, read, written) = encoder.encode_from_utf8_without_replacement(rest, dst, true);
        out.truncate(start.saturating_add(written));
        consumed = consumed.saturating_add(read);
        match result {
            encoding_rs::EncoderResult::InputEmpty => return Ok(()),
            encoding_rs::EncoderResult::OutputFull => {}
            encoding_rs::EncoderResult::Unmappable(ch) => {
                // `consumed` ends just after the unmappable character.
                let before = text.get(..consumed).unwrap_or(text).chars().count();
                return Err(EncodeError::Unmappable {
                    ch,
                    char_index: before.saturating_sub(1),
                    encoding,
                });
            }
        }
    }
}

/// True ISO-8859-1: U+0000..=U+00FF map to the byte of the same value.
fn encode_latin1(text: &str, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    out.reserve(text.len());
    for (char_index, ch) in text.chars().enumerate() {
        match u8::try_from(u32::from(ch)) {
            Ok(b) => out.push(b),
            Err(_) => {
                return Err(EncodeError::Unmappable {
                    ch,
                    char_index,
                    encoding: TextEncoding::Latin1,
                });
            }
        }
    }
    Ok(())
}

/// What a [`Segment`] of decoded display text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    /// Ordinary decoded text.
    Plain,
    /// Control characters, rendered as escapes (`\r`, `\n`, `\t`, `\0`, `\xNN`).
    Control,
    /// Bytes that do not decode in the encoding, rendered as `\xNN`.
    Invalid,
}

/// A run of display text of one [`SegmentKind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// What the text is.
    pub kind: SegmentKind,
    /// The text to show.
    pub text: String,
}

/// Collects segments, merging adjacent ones of the same kind.
struct SegmentBuilder {
    done: Vec<Segment>,
    kind: SegmentKind,
    text: String,
}

impl SegmentBuilder {
    fn new() -> Self {
        SegmentBuilder {
            done: Vec::new(),
            kind: SegmentKind::Plain,
            text: String::new(),
        }
    }

    /// The text of the current segment, switching to `kind` first.
    fn text(&mut self, kind: SegmentKind) -> &mut String {
        if kind != self.kind {
            if !self.text.is_empty() {
                self.done.push(Segment {
                    kind: self.kind,
                    text: std::mem::take(&mut self.text),
                });
            }
            self.kind = kind;
        }
        &mut self.text
    }

    /// Adds decoded text, splitting out control characters.
    fn push_decoded(&mut self, s: &str) {
        let mut run_start = 0usize;
        for (i, b) in s.bytes().enumerate() {
            if is_control(b) {
                // `i` and `run_start` sit at ASCII bytes, so on char boundaries.
                if let Some(run) = s.get(run_start..i)
                    && !run.is_empty()
                {
                    self.text(SegmentKind::Plain).push_str(run);
                }
                push_control_escape(self.text(SegmentKind::Control), b);
                run_start = i.saturating_add(1);
            }
        }
        if let Some(run) = s.get(run_start..)
            && !run.is_empty()
        {
            self.text(SegmentKind::Plain).push_str(run);
        }
    }

    /// Adds undecodable bytes.
    fn push_invalid(&mut self, bytes: &[u8]) {
        let text = self.text(SegmentKind::Invalid);
        for &b in bytes {
            push_hex_escape(text, b);
        }
    }

    fn finish(mut self) -> Vec<Segment> {
        if !self.text.is_empty() {
            self.done.push(Segment {
                kind: self.kind,
                text: self.text,
            });
        }
        self.done
    }
}

/// C0 controls and DEL.
fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7F
}

fn push_control_escape(out: &mut String, b: u8) {
    match b {
        b'\r' => out.push_str("\\r"),
        b'\n' => out.push_str("\\n"),
        b'\t' => out.push_str("\\t"),
        0 => out.push_str("\\0"),
        _ => push_hex_escape(out, b),
    }
}

/// Appends `\xNN` with uppercase hex digits.
fn push_hex_escape(out: &mut String, b: u8) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    out.push('\\');
    out.push('x');
    out.push(char::from(DIGITS[usize::from(b >> 4)]));
    out.push(char::from(DIGITS[usize::from(b & 0x0F)]));
}

/// Decodes `bytes` (complete; end of input) for display. Valid text → Plain
/// segments (adjacent merged). Control characters → Control segments
/// rendered as escapes: `\r` `\n` `\t` `\0` and `\xNN` for other C0 + DEL
/// (0x7F). Undecodable bytes → Invalid segments rendered as `\xFF`
/// (uppercase hex, one `\xNN` per byte). Adjacent segments of the same kind
/// are merged; no segment is empty. A byte order mark is kept as text.
pub fn decode_segments(encoding: TextEncoding, bytes: &[u8]) -> Vec<Segment> {
    let mut segs = SegmentBuilder::new();
    let Some(rs) = encoding.encoding_rs() else {
        for &b in bytes {
            if is_control(b) {
                push_control_escape(segs.text(SegmentKind::Control), b);
            } else {
                segs.text(SegmentKind::Plain).push(char::from(b));
            }
        }
        return segs.finish();
    };

    let mut decoder = rs.new_decoder_without_bom_handling();
    // Kept small: encoding_rs touches every page of the spare capacity on
    // each call, and there is one call per malformed sequence.
    let mut buf = String::with_capacity(8 * 1024);
    let mut consumed = 0usize;
    loop {
        let rest = bytes.get(consumed..).unwrap_or_default();
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut buf, true);
        consumed = consumed.saturating_add(read);
        segs.push_decoded(&buf);
        buf.clear();
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {
                if read == 0 {
                    // Cannot happen with 8 KiB of room, but never spin.
                    buf.reserve(buf.capacity().saturating_add(64));
                }
            }
            DecoderResult::Malformed(bad_len, after) => {
                // The malformed bytes end `after` bytes before what was consumed.
                let end = consumed.saturating_sub(usize::from(after));
                let start = end.saturating_sub(usize::from(bad_len));
                segs.push_invalid(bytes.get(start..end).unwrap_or_default());
            }
        }
    }
    segs.finish()
}

/// The text `bytes` are in `encoding`, if they are valid text in it and
/// encode back to exactly the same bytes; `None` otherwise.
pub fn decode_exact(encoding: TextEncoding, bytes: &[u8]) -> Option<String> {
    let text = match encoding.encoding_rs() {
        None => bytes.iter().map(|&b| char::from(b)).collect(),
        Some(e) => e
            .decode_without_bom_handling_and_without_replacement(bytes)?
            .into_owned(),
    };
    (encode(encoding, &text).ok()? == bytes).then_some(text)
}

/// `bytes` decoded as text, undecodable bytes as U+FFFD (for matching a
/// regex; control characters stay as they are).
pub fn decode_lossy(encoding: TextEncoding, bytes: &[u8]) -> Cow<'_, str> {
    match encoding.encoding_rs() {
        None => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
        Some(e) => e.decode_without_bom_handling(bytes).0,
    }
}

/// The name Python's codecs know this encoding by
/// (`'utf-8'`, `'gbk'`, …).
pub fn python_codec(encoding: TextEncoding) -> &'static str {
    match encoding {
        TextEncoding::Utf8 => "utf-8",
        TextEncoding::Gbk => "gbk",
        TextEncoding::Gb18030 => "gb18030",
        TextEncoding::Big5 => "big5",
        TextEncoding::ShiftJis => "shift_jis",
        TextEncoding::Latin1 => "latin-1",
    }
}

/// Convenience: [`decode_segments`] joined into one string.
pub fn decode_display(encoding: TextEncoding, bytes: &[u8]) -> String {
    let mut segs = decode_segments(encoding, bytes);
    if segs.len() <= 1 {
        return segs.pop().map(|s| s.text).unwrap_or_default();
    }
    let len = segs
        .iter()
        .map(|s| s.text.len())
        .fold(0usize, usize::saturating_add);
    let mut out = String::with_capacity(len);
    for s in &segs {
        out.push_str(&s.text);
    }
    out
}

/// Up to 3 bytes carried from the previous chunk: the start of a character
/// whose remaining bytes arrive in a later chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Carry {
    bytes: [u8; 4],
    len: u8,
}

impl Carry {
    /// Keeps the first 4 bytes of `bytes` (callers pass at most 3).
    fn from_slice(bytes: &[u8]) -> Self {
        let mut carry = Carry::default();
        for (slot, &b) in carry.bytes.iter_mut().zip(bytes) {
            *slot = b;
            carry.len = carry.len.saturating_add(1);
        }
        carry
    }

    /// The carried bytes.
    pub fn as_slice(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// Whether nothing is carried.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many bytes are carried.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }
}

/// How to show one received chunk of a stream as text; see [`StreamSplitter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChunkText {
    /// Bytes from earlier chunks that begin this chunk's first character.
    pub carry_in: Carry,
    /// How many trailing bytes of this chunk begin a character that ends in
    /// a later chunk (shown as partial bytes in this chunk's row).
    pub held_back: u8,
}

impl ChunkText {
    /// The bytes to decode for display of this chunk:
    /// `carry_in ++ chunk[..len - held_back]`. Borrows when nothing is
    /// carried in. Never panics, even for a chunk this was not made for.
    pub fn text_bytes<'a>(&self, chunk: &'a [u8]) -> Cow<'a, [u8]> {
        let keep = chunk.len().saturating_sub(usize::from(self.held_back));
        let own = chunk.get(..keep).unwrap_or_default();
        if self.carry_in.is_empty() {
            Cow::Borrowed(own)
        } else {
            let mut v = Vec::with_capacity(self.carry_in.len().saturating_add(own.len()));
            v.extend_from_slice(self.carry_in.as_slice());
            v.extend_from_slice(own);
            Cow::Owned(v)
        }
    }
}

/// How one chunk's own bytes are shown (see [`ChunkText::own_parts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OwnParts {
    /// Leading bytes that finish a character begun in an earlier chunk.
    pub head: usize,
    /// Trailing bytes that begin a character finished in a later chunk.
    pub tail: usize,
}

impl ChunkText {
    /// Splits `chunk` (the chunk this was made for) into a head that
    /// finishes a character begun before it, a tail that begins one
    /// finished after it, and the text between. A row shows exactly its
    /// own bytes: the head and tail as marked partial bytes, the rest as
    /// text. The whole character is [`ChunkText::carry_in`] followed by
    /// the head.
    pub fn own_parts(&self, encoding: TextEncoding, chunk: &[u8]) -> OwnParts {
        let tail = usize::from(self.held_back).min(chunk.len());
        let before_tail = chunk.get(..chunk.len() - tail).unwrap_or_default();
        let head = if self.carry_in.is_empty() {
            0
        } else {
            first_char_rest(encoding, self.carry_in.as_slice(), before_tail)
        };
        OwnParts { head, tail }
    }
}

/// How many leading bytes of `chunk` complete the character `carry`
/// begins (0 if none do).
fn first_char_rest(encoding: TextEncoding, carry: &[u8], chunk: &[u8]) -> usize {
    let mut bytes = carry.to_vec();
    for (k, &b) in chunk.iter().take(4).enumerate() {
        bytes.push(b);
        if decode_exact(encoding, &bytes).is_some_and(|s| s.chars().count() == 1) {
            return k + 1;
        }
    }
    0
}

/// Tracks characters cut across the chunks of one byte stream (one TCP
/// connection, one direction), so each chunk can be shown as its own row,
/// its own bytes only, with the pieces of a cut character marked.
///
/// For each chunk, [`StreamSplitter::push`] says which trailing bytes form an
/// incomplete but valid start of a character (finished by a later chunk)
/// and which bytes from before begin this chunk's first character (see
/// [`ChunkText::own_parts`]).
/// Bytes that are genuinely invalid are never held back: they show as
/// `\xNN` in the row they arrived in.
#[derive(Debug, Clone)]
pub struct StreamSplitter {
    encoding: TextEncoding,
    held: Carry,
}

impl StreamSplitter {
    /// A splitter for a new stream decoded as `encoding`.
    pub fn new(encoding: TextEncoding) -> Self {
        StreamSplitter {
            encoding,
            held: Carry::default(),
        }
    }

    /// The encoding this splitter was made for.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Bytes held back so far that a later chunk should complete. When the
    /// stream ends, these were never completed (show them as invalid).
    pub fn pending(&self) -> &[u8] {
        self.held.as_slice()
    }

    /// Called for each received chunk of one TCP connection, in order.
    pub fn push(&mut self, chunk: &[u8]) -> ChunkText {
        let held = self.held;
        let total = held.len().saturating_add(chunk.len());
        let mut pending = pending_len(self.encoding, held.as_slice(), chunk);
        if pending > 3 || pending > total {
            pending = 0;
        }
        let from_chunk = pending.min(chunk.len());
        let from_held = pending.saturating_sub(from_chunk);
        let held_keep = held.len().saturating_sub(from_held);

        let carry_in = Carry::from_slice(held.as_slice().get(..held_keep).unwrap_or_default());
        let mut next = [0u8; 4];
        let mut n = 0usize;
        let still_held = held.as_slice().get(held_keep..).unwrap_or_default();
        let chunk_tail = chunk
            .get(chunk.len().saturating_sub(from_chunk)..)
            .unwrap_or_default();
        for (slot, &b) in next.iter_mut().zip(still_held.iter().chain(chunk_tail)) {
            *slot = b;
            n = n.saturating_add(1);
        }
        self.held = Carry::from_slice(next.get(..n).unwrap_or_default());

        ChunkText {
            carry_in,
            held_back: u8::try_from(from_chunk).unwrap_or(0),
        }
    }
}

/// How many trailing bytes of `held ++ chunk` are an incomplete but valid
/// start of a character. `held` is assumed to start on a character boundary.
/// Where in `chunk` decoding may start afresh without changing how its
/// tail decodes: at a byte that always begins a character (UTF-8: ASCII or
/// a lead byte), or just after a byte below 0x30, which GBK, GB18030, Big5
/// and Shift_JIS never use inside a multi-byte character. Looks only at the
/// last few dozen bytes, so a read costs the same whatever its size.
fn safe_start(encoding: TextEncoding, chunk: &[u8]) -> Option<usize> {
    const WINDOW: usize = 64;
    let from = chunk.len().saturating_sub(WINDOW);
    let tail = chunk.get(from..)?;
    match encoding {
        TextEncoding::Utf8 => tail
            .iter()
            .rposition(|&b| !(0x80..0xC0).contains(&b))
            .map(|i| from + i),
        TextEncoding::Latin1 => None,
        TextEncoding::Gbk | TextEncoding::Gb18030 | TextEncoding::Big5 | TextEncoding::ShiftJis => {
            tail.iter().rposition(|&b| b < 0x30).map(|i| from + i + 1)
        }
    }
}

fn pending_len(encoding: TextEncoding, held: &[u8], chunk: &[u8]) -> usize {
    let Some(rs) = encoding.encoding_rs() else {
        return 0; // every byte is a whole character
    };
    // Decode only from the last safe boundary, when there is one.
    let (held, chunk) = match safe_start(encoding, chunk) {
        Some(start) => (&[][..], chunk.get(start..).unwrap_or_default()),
        None => (held, chunk),
    };
    let mut decoder = rs.new_decoder_without_bom_handling();
    let mut scratch = [0u8; 4096];
    for part in [held, chunk] {
        let mut consumed = 0usize;
        loop {
            let rest = part.get(consumed..).unwrap_or_default();
            let (result, read, _written) =
                decoder.decode_to_utf8_without_replacement(rest, &mut scratch, false);
            consumed = consumed.saturating_add(read);
            match result {
                DecoderResult::InputEmpty => break,
                DecoderResult::OutputFull | DecoderResult::Malformed(..) => {
                    if read == 0 && matches!(result, DecoderResult::OutputFull) {
                        return 0; // cannot happen; never spin
                    }
                }
            }
        }
    }
    // At end of input, whatever the decoder still holds is reported as one
    // malformed sequence: exactly the incomplete-but-valid tail.
    match decoder.decode_to_utf8_without_replacement(&[], &mut scratch, true) {
        (DecoderResult::Malformed(bad_len, after), _, _) => {
            usize::from(bad_len).saturating_add(usize::from(after))
        }
        _ => 0,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "text_tests.rs"]
mod tests;
