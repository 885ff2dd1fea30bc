//! Message framing: splitting a TCP byte stream into messages, and the
//! bytes to send so a peer can split it again.
//!
//! TCP carries a stream of bytes, not messages: two `send`s can arrive in
//! one `recv` and one `send` can arrive split over several (the "sticky
//! packet", 粘包, problem). A [`Framing`] is the rule both ends agree on to
//! find where each message ends; a [`Deframer`] applies it incrementally to
//! bytes as they arrive, in chunks of any size, and [`frame`] builds the
//! bytes to send.

use serde::{Deserialize, Serialize};

/// The default bound on one message, and so on the bytes a [`Deframer`]
/// buffers: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// How a byte stream is divided into messages.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Framing {
    /// No framing: each chunk received (each `recv`) is a message.
    None,
    /// Messages end with a delimiter, e.g. `b"\n"`, `b"\r\n"` or custom
    /// bytes.
    Delimiter {
        /// The bytes that end each message; must not be empty.
        delimiter: Vec<u8>,
        /// Whether received messages keep their delimiter at the end.
        keep_delimiter: bool,
    },
    /// Each message starts with an unsigned length header, like Python's
    /// `struct.pack('!I', len(payload)) + payload`.
    LengthPrefix {
        /// How many bytes the header takes.
        width: LengthWidth,
        /// Big-endian (network order, Python `!` or `>`) or little-endian
        /// (Python `<`).
        big_endian: bool,
        /// Whether the length counts the header itself as well as the
        /// payload.
        includes_header: bool,
    },
    /// Every message has the same size.
    Fixed {
        /// The size of each message in bytes; must not be 0.
        size: usize,
    },
}

impl Framing {
    /// Checks the settings themselves, before any byte is seen: a
    /// [`Framing::Delimiter`] needs a delimiter and a [`Framing::Fixed`]
    /// size must not be 0.
    pub fn validate(&self) -> Result<(), FrameError> {
        match self {
            Framing::Delimiter { delimiter, .. } if delimiter.is_empty() => {
                Err(FrameError::EmptyDelimiter)
            }
            Framing::Fixed { size: 0 } => Err(FrameError::ZeroFixedSize),
            _ => Ok(()),
        }
    }
}

/// The size of a [`Framing::LengthPrefix`] header.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum LengthWidth {
    /// One byte (Python `B`): lengths up to 255.
    W1,
    /// Two bytes (Python `H`): lengths up to 65 535.
    W2,
    /// Four bytes (Python `I`): lengths up to 4 294 967 295.
    #[default]
    W4,
    /// Eight bytes (Python `Q`).
    W8,
}

impl LengthWidth {
    /// Every width, in menu order.
    pub const ALL: [LengthWidth; 4] = [
        LengthWidth::W1,
        LengthWidth::W2,
        LengthWidth::W4,
        LengthWidth::W8,
    ];

    /// The header size in bytes: 1, 2, 4 or 8.
    pub const fn bytes(self) -> usize {
        match self {
            LengthWidth::W1 => 1,
            LengthWidth::W2 => 2,
            LengthWidth::W4 => 4,
            LengthWidth::W8 => 8,
        }
    }

    /// The largest length the header can hold.
    pub const fn max_length(self) -> u64 {
        match self {
            LengthWidth::W1 => u8::MAX as u64,
            LengthWidth::W2 => u16::MAX as u64,
            LengthWidth::W4 => u32::MAX as u64,
            LengthWidth::W8 => u64::MAX,
        }
    }
}

/// Why a stream cannot be framed, or a payload cannot be sent framed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A [`Framing::Delimiter`] with no delimiter bytes.
    #[error("the delimiter is empty; enter at least one byte, e.g. \\n")]
    EmptyDelimiter,
    /// A [`Framing::Fixed`] with size 0.
    #[error("the fixed message size is 0; it must be at least 1 byte")]
    ZeroFixedSize,
    /// A [`Framing::Fixed`] size larger than the deframer's limit.
    #[error("the fixed message size of {size} bytes is over the limit of {limit} bytes")]
    FixedSizeTooLarge {
        /// The configured size.
        size: usize,
        /// The deframer's `max_message_bytes`.
        limit: usize,
    },
    /// A received length header announces a message over the limit.
    #[error(
        "length header at byte {offset} says {length} bytes, over the limit of {limit} bytes; \
         the peer may be using a different header size or byte order"
    )]
    LengthTooLarge {
        /// The stream offset of the header's first byte.
        offset: u64,
        /// The length read from the header.
        length: u64,
        /// The deframer's `max_message_bytes`.
        limit: usize,
    },
    /// A received length that counts the header is smaller than the header.
    #[error(
        "length header at byte {offset} says {length} bytes, but the length includes the \
         {header}-byte header, so it must be at least {header}"
    )]
    LengthShorterThanHeader {
        /// The stream offset of the header's first byte.
        offset: u64,
        /// The length read from the header.
        length: u64,
        /// The header size.
        header: usize,
    },
    /// No delimiter was found within the limit.
    #[error(
        "no delimiter found in {limit} bytes starting at byte {offset}; \
         the message is too long or the delimiter is wrong"
    )]
    DelimiterNotFound {
        /// The stream offset where the unfinished message starts.
        offset: u64,
        /// The deframer's `max_message_bytes`.
        limit: usize,
    },
    /// Sending: the payload's length does not fit in the header.
    #[error(
        "a {len}-byte payload is too long for a {width}-byte length header \
         (at most {max} bytes)"
    )]
    PayloadTooLong {
        /// The payload length.
        len: usize,
        /// The header size.
        width: usize,
        /// The longest payload the header allows.
        max: u64,
    },
    /// Sending: the payload is not exactly the fixed size.
    #[error("the payload is {len} bytes, but fixed-size messages must be exactly {size} bytes")]
    WrongFixedSize {
        /// The payload length.
        len: usize,
        /// The configured size.
        size: usize,
    },
}

/// One complete message taken from the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The stream offset of the first byte of `bytes` (0 is the first byte
    /// ever pushed). For [`Framing::LengthPrefix`] that is just after the
    /// header, which starts at `start - width`; a dropped delimiter starts
    /// at `start + bytes.len()`. For an empty message it is where the
    /// message would have started.
    pub start: u64,
    /// The message: without the length header, and without the delimiter
    /// unless `keep_delimiter` is set.
    pub bytes: Vec<u8>,
}

/// Converts a byte count to a stream-offset delta.
fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Incremental splitter of a byte stream into messages.
///
/// Feed it bytes with [`Deframer::push`] as they arrive. It buffers at most
/// one incomplete message (bounded by `max_message_bytes` plus the header or
/// delimiter). Searching is linear: each byte is examined a bounded number
/// of times however the stream is chunked.
#[derive(Clone, Debug)]
pub struct Deframer {
    /// The rule in use.
    framing: Framing,
    /// The longest message accepted.
    max_message_bytes: usize,
    /// Bytes not yet returned in a message; `buf[0]` is at stream offset
    /// `buf_start`.
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    buf_start: u64,
    /// Delimiter framing: index in `buf` before which no delimiter can
    /// start, so the next search resumes there.
    scan_from: usize,
    /// Set once the stream cannot be framed.
    error: Option<FrameError>,
    /// Whether `error` has been returned by `push`.
    error_reported: bool,
}

impl Deframer {
    /// A deframer for `framing`, with the default limit
    /// [`DEFAULT_MAX_MESSAGE_BYTES`].
    pub fn new(framing: Framing) -> Self {
        Deframer {
            framing,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            buf: Vec::new(),
            buf_start: 0,
            scan_from: 0,
            error: None,
            error_reported: false,
        }
    }

    /// Sets the longest message accepted (the payload, not counting a
    /// length header or delimiter). Longer messages make [`Deframer::push`]
    /// fail instead of buffering without bound.
    #[must_use]
    pub fn with_max_message_bytes(mut self, max_message_bytes: usize) -> Self {
        self.max_message_bytes = max_message_bytes;
        self
    }

    /// The rule in use.
    pub fn framing(&self) -> &Framing {
        &self.framing
    }

    /// The longest message accepted.
    pub fn max_message_bytes(&self) -> usize {
        self.max_message_bytes
    }

    /// Bytes waiting for the rest of a message.
    pub fn pending(&self) -> &[u8] {
        &self.buf
    }

    /// The error that stopped this deframer, if any (whether or not
    /// [`Deframer::push`] has returned it yet).
    pub fn error(&self) -> Option<&FrameError> {
        self.error.as_ref()
    }

    /// Forgets all buffered bytes and any error, and restarts stream
    /// offsets at 0, e.g. for a new connection.
    pub fn reset(&mut self) {
        self.buf.clear();
        self.buf_start = 0;
        self.scan_from = 0;
        self.error = None;
        self.error_reported = false;
    }

    /// Feeds the next bytes of the stream and returns the messages they
    /// complete, in order.
    ///
    /// Errors: the settings are invalid ([`FrameError::EmptyDelimiter`],
    /// [`FrameError::ZeroFixedSize`], [`FrameError::FixedSizeTooLarge`]), a
    /// length header announces more than `max_message_bytes` or (with
    /// `includes_header`) less than the header itself, or no delimiter
    /// comes within `max_message_bytes`.
    ///
    /// After an error the stream cannot be resynchronised, so the deframer
    /// stops: it keeps the error (see [`Deframer::error`]) and ignores all
    /// further bytes until [`Deframer::reset`]. The error is returned
    /// exactly once. Messages completed before the error are never lost:
    /// if the call that meets the error already completed some messages, it
    /// returns them, and the error is returned by the next call (which can
    /// be `push(&[])`). Every later call returns `Ok` with no messages.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Message>, FrameError> {
        if let Some(error) = &self.error {
            if self.error_reported {
                return Ok(Vec::new());
            }
            self.error_reported = true;
            return Err(error.clone());
        }
        let mut out = Vec::new();
        let result = self.push_inner(bytes, &mut out);
        if let Err(error) = result {
            self.buf = Vec::new();
            self.error = Some(error.clone());
            if out.is_empty() {
                self.error_reported = true;
                return Err(error);
            }
        }
        Ok(out)
    }

    /// Does the work of [`Deframer::push`], appending messages to `out`.
    fn push_inner(&mut self, bytes: &[u8], out: &mut Vec<Message>) -> Result<(), FrameError> {
        self.framing.validate()?;
        if let Framing::None = self.framing {
            if !bytes.is_empty() {
                out.push(Message {
                    start: self.buf_start,
                    bytes: bytes.to_vec(),
                });
                self.buf_start = self.buf_start.saturating_add(to_u64(bytes.len()));
            }
            return Ok(());
        }
        if let Framing::Fixed { size } = self.framing
            && size > self.max_message_bytes
        {
            return Err(FrameError::FixedSizeTooLarge {
                size,
                limit: self.max_message_bytes,
            });
        }
        self.buf.extend_from_slice(bytes);
        // Index in `buf` of the first byte not yet returned in a message.
        let mut head = 0usize;
        let result = match &self.framing {
            Framing::None => Ok(()),
            Framing::Delimiter {
                delimiter,
                keep_delimiter,
            } => split_delimited(
                &self.buf,
                &mut head,
                &mut self.scan_from,
                self.buf_start,
                delimiter,
                *keep_delimiter,
                self.max_message_bytes,
                out,
            ),
            Framing::LengthPrefix {
                width,
                big_endian,
                includes_header,
            } => split_length_prefixed(
                &self.buf,
                &mut head,
                self.buf_start,
                *width,
                *big_endian,
                *includes_header,
                self.max_message_bytes,
                out,
            ),
            Framing::Fixed { size } => {
                split_fixed(&self.buf, &mut head, self.buf_start, *size, out);
                Ok(())
            }
        };
        // Drop what was returned, once per push rather than per message.
        let head = head.min(self.buf.len());
        self.buf.drain(..head);
        self.scan_from = self.scan_from.saturating_sub(head);
        self.buf_start = self.buf_start.saturating_add(to_u64(head));
        result
    }
}

/// Splits complete delimited messages off `buf[*head..]`.
#[allow(clippy::too_many_arguments)]
fn split_delimited(
    buf: &[u8],
    head: &mut usize,
    scan_from: &mut usize,
    buf_start: u64,
    delimiter: &[u8],
    keep_delimiter: bool,
    max: usize,
    out: &mut Vec<Message>,
) -> Result<(), FrameError> {
    let dlen = delimiter.len();
    loop {
        let from = (*scan_from).max(*head);
        let found = buf
            .get(from..)
            .and_then(|rest| rest.windows(dlen).position(|w| w == delimiter))
            .map(|p| from.saturating_add(p));
        let start_offset = buf_start.saturating_add(to_u64(*head));
        match found {
            Some(at) => {
                let len = at.saturating_sub(*head);
                if len > max {
                    return Err(FrameError::DelimiterNotFound {
                        offset: start_offset,
                        limit: max,
                    });
                }
                let after = at.saturating_add(dlen);
                let end = if keep_delimiter { after } else { at };
                let bytes = buf.get(*head..end).unwrap_or_default().to_vec();
                out.push(Message {
                    start: start_offset,
                    bytes,
                });
                *head = after;
                *scan_from = after;
            }
            None => {
                // A delimiter may still start in the last dlen-1 bytes.
                *scan_from = buf.len().saturating_sub(dlen.saturating_sub(1)).max(*head);
                let content = (*scan_from).saturating_sub(*head);
                if content > max {
                    return Err(FrameError::DelimiterNotFound {
                        offset: start_offset,
                        limit: max,
                    });
                }
                return Ok(());
            }
        }
    }
}

/// Reads an unsigned integer from a header.
fn read_length(header: &[u8], big_endian: bool) -> u64 {
    let fold = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
    if big_endian {
        header.iter().fold(0, fold)
    } else {
        header.iter().rev().fold(0, fold)
    }
}

/// Splits complete length-prefixed messages off `buf[*head..]`.
#[allow(clippy::too_many_arguments)]
fn split_length_prefixed(
    buf: &[u8],
    head: &mut usize,
    buf_start: u64,
    width: LengthWidth,
    big_endian: bool,
    includes_header: bool,
    max: usize,
    out: &mut Vec<Message>,
) -> Result<(), FrameError> {
    let w = width.bytes();
    loop {
        let Some(header) = buf.get(*head..(*head).saturating_add(w)) else {
            return Ok(());
        };
        let offset = buf_start.saturating_add(to_u64(*head));
        let length = read_length(header, big_endian);
        let payload_len = if includes_header {
            length
                .checked_sub(to_u64(w))
                .ok_or(FrameError::LengthShorterThanHeader {
                    offset,
                    length,
                    header: w,
                })?
        } else {
            length
        };
        let payload_len = usize::try_from(payload_len)
            .ok()
            .filter(|&n| n <= max)
            .ok_or(FrameError::LengthTooLarge {
                offset,
                length,
                limit: max,
            })?;
        let body = (*head).saturating_add(w);
        let Some(payload) = buf.get(body..body.saturating_add(payload_len)) else {
            return Ok(());
        };
        out.push(Message {
            start: offset.saturating_add(to_u64(w)),
            bytes: payload.to_vec(),
        });
        *head = body.saturating_add(payload_len);
    }
}

/// Splits complete fixed-size messages off `buf[*head..]`.
fn split_fixed(buf: &[u8], head: &mut usize, buf_start: u64, size: usize, out: &mut Vec<Message>) {
    let Some(rest) = buf.get(*head..) else {
        return;
    };
    for chunk in rest.chunks_exact(size.max(1)) {
        out.push(Message {
            start: buf_start.saturating_add(to_u64(*head)),
            bytes: chunk.to_vec(),
        });
        *head = (*head).saturating_add(size);
    }
}

/// The bytes to send for `payload` so a peer using `framing` receives it as
/// one message.
///
/// - [`Framing::None`]: the payload unchanged.
/// - [`Framing::Delimiter`]: the payload followed by the delimiter. A
///   delimiter inside the payload is sent as is, and the receiver will split
///   the message there.
/// - [`Framing::LengthPrefix`]: the length header (in the chosen width and
///   byte order, counting the header if `includes_header`) followed by the
///   payload; an error if the length does not fit in the header.
/// - [`Framing::Fixed`]: the payload, which must be exactly `size` bytes.
pub fn frame(framing: &Framing, payload: &[u8]) -> Result<Vec<u8>, FrameError> {
    framing.validate()?;
    match framing {
        Framing::None => Ok(payload.to_vec()),
        Framing::Delimiter { delimiter, .. } => {
            let mut out = Vec::with_capacity(payload.len().saturating_add(delimiter.len()));
            out.extend_from_slice(payload);
            out.extend_from_slice(delimiter);
            Ok(out)
        }
        Framing::LengthPrefix {
            width,
            big_endian,
            includes_header,
        } => {
            let w = width.bytes();
            let extra = if *includes_header { to_u64(w) } else { 0 };
            let max = width.max_length().saturating_sub(extra);
            let too_long = FrameError::PayloadTooLong {
                len: payload.len(),
                width: w,
                max,
            };
            let length = to_u64(payload.len())
                .checked_add(extra)
                .filter(|&n| n <= width.max_length())
                .ok_or(too_long)?;
            let mut out = Vec::with_capacity(payload.len().saturating_add(w));
            let be = length.to_be_bytes();
            let header = be.get(be.len().saturating_sub(w)..).unwrap_or_default();
            if *big_endian {
                out.extend_from_slice(header);
            } else {
                out.extend(header.iter().rev());
            }
            out.extend_from_slice(payload);
            Ok(out)
        }
        Framing::Fixed { size } => {
            if payload.len() == *size {
                Ok(payload.to_vec())
            } else {
                Err(FrameError::WrongFixedSize {
                    len: payload.len(),
                    size: *size,
                })
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lp(width: LengthWidth, big_endian: bool, includes_header: bool) -> Framing {
        Framing::LengthPrefix {
            width,
            big_endian,
            includes_header,
        }
    }

    fn delim(d: &[u8], keep: bool) -> Framing {
        Framing::Delimiter {
            delimiter: d.to_vec(),
            keep_delimiter: keep,
        }
    }

    fn bytes_of(msgs: &[Message]) -> Vec<Vec<u8>> {
        msgs.iter().map(|m| m.bytes.clone()).collect()
    }

    /// Pushes every chunk and collects all messages, failing on error.
    fn feed(framing: &Framing, chunks: &[&[u8]]) -> Vec<Message> {
        let mut d = Deframer::new(framing.clone());
        let mut all = Vec::new();
        for c in chunks {
            all.extend(d.push(c).unwrap());
        }
        all
    }

    #[test]
    fn widths() {
        let sizes: Vec<usize> = LengthWidth::ALL.iter().map(|w| w.bytes()).collect();
        assert_eq!(sizes, [1, 2, 4, 8]);
        assert_eq!(LengthWidth::W2.max_length(), 65_535);
    }

    #[test]
    fn three_messages_in_one_chunk() {
        let d = delim(b"\n", false);
        let msgs = feed(&d, &[b"one\ntwo\nthree\n"]);
        assert_eq!(bytes_of(&msgs), [&b"one"[..], b"two", b"three"]);
        assert_eq!(msgs.iter().map(|m| m.start).collect::<Vec<_>>(), [0, 4, 8]);

        let f = lp(LengthWidth::W4, true, false);
        let mut stream = Vec::new();
        for m in [&b"one"[..], b"", b"three"] {
            stream.extend(frame(&f, m).unwrap());
        }
        let msgs = feed(&f, &[&stream]);
        assert_eq!(bytes_of(&msgs), [&b"one"[..], b"", b"three"]);
        assert_eq!(
            msgs.iter().map(|m| m.start).collect::<Vec<_>>(),
            [4, 11, 15]
        );

        let msgs = feed(&Framing::Fixed { size: 3 }, &[b"abcdefghi"]);
        assert_eq!(bytes_of(&msgs), [&b"abc"[..], b"def", b"ghi"]);
        assert_eq!(msgs.iter().map(|m| m.start).collect::<Vec<_>>(), [0, 3, 6]);
    }

    #[test]
    fn one_message_split_at_every_position() {
        let framings = [
            delim(b"\r\n", false),
            delim(b"END", true),
            lp(LengthWidth::W1, true, false),
            lp(LengthWidth::W2, false, true),
            lp(LengthWidth::W4, true, false),
            lp(LengthWidth::W8, false, false),
            Framing::Fixed { size: 11 },
        ];
        for f in &framings {
            let wire = frame(f, b"hello world").unwrap();
            let expected = feed(f, &[&wire]);
            assert_eq!(expected.len(), 1, "{f:?}");
            for cut in 0..=wire.len() {
                let (a, b) = wire.split_at(cut);
                let mut d = Deframer::new(f.clone());
                let first = d.push(a).unwrap();
                if cut < wire.len() {
                    assert!(first.is_empty(), "{f:?} cut {cut}");
                    assert_eq!(d.pending(), a, "{f:?} cut {cut}");
                }
                let mut got = first;
                got.extend(d.push(b).unwrap());
                assert_eq!(got, expected, "{f:?} cut {cut}");
                assert!(d.pending().is_empty());
            }
        }
    }

    #[test]
    fn crlf_split_between_chunks() {
        let f = delim(b"\r\n", false);
        let mut d = Deframer::new(f);
        assert!(d.push(b"GET / HTTP/1.0\r").unwrap().is_empty());
        let msgs = d.push(b"\nHost: x\r").unwrap();
        assert_eq!(bytes_of(&msgs), [&b"GET / HTTP/1.0"[..]]);
        assert_eq!(msgs[0].start, 0);
        assert_eq!(d.pending(), b"Host: x\r");
        let msgs = d.push(b"\n\r\n").unwrap();
        assert_eq!(bytes_of(&msgs), [&b"Host: x"[..], b""]);
        assert_eq!(msgs.iter().map(|m| m.start).collect::<Vec<_>>(), [16, 25]);
        // A lone \r or \n is message content.
        let mut d = Deframer::new(delim(b"\r\n", true));
        let msgs = d.push(b"a\rb\nc\r\n").unwrap();
        assert_eq!(bytes_of(&msgs), [&b"a\rb\nc\r\n"[..]]);
    }

    #[test]
    fn overlapping_delimiter_candidates() {
        // "aab" inside "aaab": the search must not skip the real start.
        let f = delim(b"aab", false);
        for chunks in [
            vec![&b"xaaab"[..]],
            vec![b"xa", b"aab"],
            vec![b"xaa", b"ab"],
            vec![b"x", b"a", b"a", b"a", b"b"],
        ] {
            let msgs = feed(&f, &chunks);
            assert_eq!(bytes_of(&msgs), [&b"xa"[..]], "{chunks:?}");
        }
    }

    #[test]
    fn python_struct_headers() {
        // struct.pack('!I', 5) + b'hello'
        let net4 = lp(LengthWidth::W4, true, false);
        assert_eq!(frame(&net4, b"hello").unwrap(), b"\x00\x00\x00\x05hello");
        // struct.pack('<i', 5) + b'hello'
        let le4 = lp(LengthWidth::W4, false, false);
        assert_eq!(frame(&le4, b"hello").unwrap(), b"\x05\x00\x00\x00hello");
        // struct.pack('!H', 300) + 300 bytes
        let payload = vec![7u8; 300];
        let net2 = lp(LengthWidth::W2, true, false);
        let wire = frame(&net2, &payload).unwrap();
        assert_eq!(wire.get(..2).unwrap(), b"\x01\x2c");
        // struct.pack('<H', 300)
        let le2 = lp(LengthWidth::W2, false, false);
        assert_eq!(
            frame(&le2, &payload).unwrap().get(..2).unwrap(),
            b"\x2c\x01"
        );
        let msgs = feed(&net2, &[&wire]);
        assert_eq!(bytes_of(&msgs), [payload]);
        assert_eq!(msgs[0].start, 2);
        // Two sticky messages, as a Python client sends them.
        let msgs = feed(&le4, &[b"\x02\x00\x00\x00hi\x03\x00", b"\x00\x00abc"]);
        assert_eq!(bytes_of(&msgs), [&b"hi"[..], b"abc"]);
        assert_eq!(msgs[1].start, 10);
        // Widths 1 and 8.
        assert_eq!(
            frame(&lp(LengthWidth::W1, true, false), b"ab").unwrap(),
            b"\x02ab"
        );
        assert_eq!(
            frame(&lp(LengthWidth::W8, true, false), b"ab").unwrap(),
            b"\x00\x00\x00\x00\x00\x00\x00\x02ab"
        );
    }

    #[test]
    fn includes_header() {
        let f = lp(LengthWidth::W2, true, true);
        assert_eq!(frame(&f, b"abc").unwrap(), b"\x00\x05abc");
        assert_eq!(frame(&f, b"").unwrap(), b"\x00\x02");
        let msgs = feed(&f, &[b"\x00\x05abc\x00\x02\x00\x03x"]);
        assert_eq!(bytes_of(&msgs), [&b"abc"[..], b"", b"x"]);
        // The largest payload a 1-byte header that counts itself can carry.
        let f1 = lp(LengthWidth::W1, true, true);
        assert!(frame(&f1, &[0; 254]).is_ok());
        assert_eq!(
            frame(&f1, &[0; 255]),
            Err(FrameError::PayloadTooLong {
                len: 255,
                width: 1,
                max: 254
            })
        );
    }

    #[test]
    fn none_framing_is_one_message_per_push() {
        let mut d = Deframer::new(Framing::None);
        assert!(d.push(b"").unwrap().is_empty());
        let m = d.push(b"abc").unwrap();
        assert_eq!(
            m,
            [Message {
                start: 0,
                bytes: b"abc".to_vec()
            }]
        );
        let m = d.push(b"de").unwrap();
        assert_eq!(
            m,
            [Message {
                start: 3,
                bytes: b"de".to_vec()
            }]
        );
        assert!(d.pending().is_empty());
        assert_eq!(frame(&Framing::None, b"xyz").unwrap(), b"xyz");
    }

    #[test]
    fn frame_errors() {
        assert_eq!(
            frame(&delim(b"", false), b"x"),
            Err(FrameError::EmptyDelimiter)
        );
        assert_eq!(
            frame(&Framing::Fixed { size: 0 }, b""),
            Err(FrameError::ZeroFixedSize)
        );
        let e = frame(&Framing::Fixed { size: 4 }, b"abc").unwrap_err();
        assert_eq!(e, FrameError::WrongFixedSize { len: 3, size: 4 });
        assert_eq!(
            e.to_string(),
            "the payload is 3 bytes, but fixed-size messages must be exactly 4 bytes"
        );
        let e = frame(&lp(LengthWidth::W1, true, false), &[0; 256]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a 256-byte payload is too long for a 1-byte length header (at most 255 bytes)"
        );
        // A delimiter inside the payload is the user's business.
        assert_eq!(frame(&delim(b"\n", false), b"a\nb").unwrap(), b"a\nb\n");
    }

    #[test]
    fn settings_errors_on_push() {
        let mut d = Deframer::new(delim(b"", false));
        assert_eq!(d.push(b"abc"), Err(FrameError::EmptyDelimiter));
        let mut d = Deframer::new(Framing::Fixed { size: 0 });
        assert_eq!(d.push(b""), Err(FrameError::ZeroFixedSize));
        let mut d = Deframer::new(Framing::Fixed { size: 10 }).with_max_message_bytes(9);
        assert_eq!(
            d.push(b"x"),
            Err(FrameError::FixedSizeTooLarge { size: 10, limit: 9 })
        );
    }

    #[test]
    fn length_too_large() {
        let f = lp(LengthWidth::W4, true, false);
        let mut d = Deframer::new(f.clone()).with_max_message_bytes(100);
        assert_eq!(d.max_message_bytes(), 100);
        // Exactly at the limit is fine.
        let mut wire = frame(&f, &[1; 100]).unwrap();
        assert_eq!(d.push(&wire).unwrap().len(), 1);
        wire = frame(&f, &[1; 101]).unwrap();
        let e = d.push(&wire).unwrap_err();
        assert_eq!(
            e,
            FrameError::LengthTooLarge {
                offset: 104,
                length: 101,
                limit: 100
            }
        );
        assert!(
            e.to_string()
                .starts_with("length header at byte 104 says 101 bytes")
        );
        // A text peer ("GET ") read as a length header.
        let mut d = Deframer::new(f);
        assert!(matches!(
            d.push(b"GET / HTTP/1.1\r\n"),
            Err(FrameError::LengthTooLarge {
                length: 0x4745_5420,
                ..
            })
        ));
        // u64 lengths beyond usize or the limit.
        let mut d = Deframer::new(lp(LengthWidth::W8, false, true));
        assert!(matches!(
            d.push(&[0xFF; 8]),
            Err(FrameError::LengthTooLarge {
                length: u64::MAX,
                ..
            })
        ));
    }

    #[test]
    fn length_shorter_than_header() {
        let mut d = Deframer::new(lp(LengthWidth::W4, true, true));
        let e = d.push(b"\x00\x00\x00\x03abc").unwrap_err();
        assert_eq!(
            e,
            FrameError::LengthShorterThanHeader {
                offset: 0,
                length: 3,
                header: 4
            }
        );
        assert_eq!(
            e.to_string(),
            "length header at byte 0 says 3 bytes, but the length includes the 4-byte header, \
             so it must be at least 4"
        );
    }

    #[test]
    fn delimiter_not_found_within_limit() {
        let mut d = Deframer::new(delim(b"\r\n", false)).with_max_message_bytes(4);
        assert_eq!(bytes_of(&d.push(b"abcd\r\n").unwrap()), [&b"abcd"[..]]);
        // Four content bytes and a possible delimiter start: still waiting.
        assert!(d.push(b"efgh\r").unwrap().is_empty());
        assert_eq!(d.pending(), b"efgh\r");
        let e = d.push(b"x").unwrap_err();
        assert_eq!(
            e,
            FrameError::DelimiterNotFound {
                offset: 6,
                limit: 4
            }
        );
        // Found, but too far.
        let mut d = Deframer::new(delim(b"\n", false)).with_max_message_bytes(2);
        assert!(d.push(b"abc\n").is_err());
    }

    #[test]
    fn error_is_sticky_and_reported_once() {
        let mut d = Deframer::new(lp(LengthWidth::W1, true, true));
        assert!(d.push(b"\x00").is_err());
        assert!(d.error().is_some());
        assert!(d.pending().is_empty());
        assert_eq!(d.push(b"\x03ab").unwrap(), []);
        assert_eq!(d.push(b"").unwrap(), []);
        assert!(d.error().is_some());
        d.reset();
        assert!(d.error().is_none());
        let m = d.push(b"\x03ab").unwrap();
        assert_eq!(
            m,
            [Message {
                start: 1,
                bytes: b"ab".to_vec()
            }]
        );
    }

    #[test]
    fn messages_before_an_error_are_kept() {
        let mut d = Deframer::new(lp(LengthWidth::W1, true, true));
        let m = d.push(b"\x03ab\x00zz").unwrap();
        assert_eq!(bytes_of(&m), [&b"ab"[..]]);
        assert!(matches!(
            d.error(),
            Some(FrameError::LengthShorterThanHeader { offset: 3, .. })
        ));
        assert!(matches!(
            d.push(&[]),
            Err(FrameError::LengthShorterThanHeader { offset: 3, .. })
        ));
        assert_eq!(d.push(b"\x02a").unwrap(), []);
    }

    #[test]
    fn fixed_keeps_remainder() {
        let mut d = Deframer::new(Framing::Fixed { size: 4 });
        assert_eq!(bytes_of(&d.push(b"abcdef").unwrap()), [&b"abcd"[..]]);
        assert_eq!(d.pending(), b"ef");
        let m = d.push(b"gh").unwrap();
        assert_eq!(
            m,
            [Message {
                start: 4,
                bytes: b"efgh".to_vec()
            }]
        );
    }

    #[test]
    fn framing_serde_round_trip() {
        for f in [
            Framing::None,
            delim(b"\r\n", true),
            lp(LengthWidth::W2, false, true),
            Framing::Fixed { size: 9 },
        ] {
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(serde_json::from_str::<Framing>(&json).unwrap(), f);
        }
    }

    fn any_framing() -> impl Strategy<Value = Framing> {
        let width = prop::sample::select(LengthWidth::ALL.to_vec());
        prop_oneof![
            (prop::collection::vec(any::<u8>(), 1..4), any::<bool>()).prop_map(
                |(delimiter, keep_delimiter)| Framing::Delimiter {
                    delimiter,
                    keep_delimiter
                }
            ),
            (width, any::<bool>(), any::<bool>()).prop_map(
                |(width, big_endian, includes_header)| {
                    Framing::LengthPrefix {
                        width,
                        big_endian,
                        includes_header,
                    }
                }
            ),
            (1usize..8).prop_map(|size| Framing::Fixed { size }),
        ]
    }

    /// Makes a message valid for `framing`: no delimiter inside, the exact
    /// fixed size, and short enough for a 1-byte header.
    fn fit(framing: &Framing, mut m: Vec<u8>) -> Vec<u8> {
        match framing {
            Framing::None => m,
            Framing::Delimiter { delimiter, .. } => {
                // Drop bytes until the message holds no delimiter.
                while let Some(p) = m.windows(delimiter.len()).position(|w| w == delimiter) {
                    m.remove(p);
                }
                // A message ending in a delimiter prefix plus the delimiter
                // would be found early; keep the tail clean.
                while !m.is_empty() && {
                    let mut t = m.clone();
                    t.extend_from_slice(delimiter);
                    t.windows(delimiter.len()).position(|w| w == &delimiter[..]) != Some(m.len())
                } {
                    m.pop();
                }
                m
            }
            Framing::LengthPrefix { .. } => {
                m.truncate(200);
                m
            }
            Framing::Fixed { size } => {
                m.resize(*size, 0xAB);
                m
            }
        }
    }

    proptest! {
        #[test]
        fn deframe_inverts_frame(
            framing in any_framing(),
            raw in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..8),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
        ) {
            let msgs: Vec<Vec<u8>> = raw.into_iter().map(|m| fit(&framing, m)).collect();
            let mut wire = Vec::new();
            let mut starts = Vec::new();
            for m in &msgs {
                let framed = frame(&framing, m).unwrap();
                let header = match &framing {
                    Framing::LengthPrefix { width, .. } => width.bytes(),
                    _ => 0,
                };
                starts.push((wire.len() + header) as u64);
                wire.extend(framed);
            }
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(wire.len() + 1)).collect();
            points.push(0);
            points.push(wire.len());
            points.sort_unstable();
            let mut d = Deframer::new(framing.clone());
            let mut got = Vec::new();
            for pair in points.windows(2) {
                got.extend(d.push(&wire[pair[0]..pair[1]]).unwrap());
            }
            prop_assert!(d.pending().is_empty());
            let expected: Vec<Vec<u8>> = match &framing {
                Framing::Delimiter { delimiter, keep_delimiter: true } => msgs
                    .iter()
                    .map(|m| [m.as_slice(), delimiter].concat())
                    .collect(),
                Framing::Fixed { .. } => msgs.iter().filter(|m| !m.is_empty()).cloned().collect(),
                _ => msgs.clone(),
            };
            prop_assert_eq!(bytes_of(&got), expected);
            prop_assert_eq!(got.iter().map(|m| m.start).collect::<Vec<_>>(), starts);
        }

        #[test]
        fn any_input_never_panics(
            framing in any_framing(),
            chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..8),
            max in 0usize..64,
        ) {
            let mut d = Deframer::new(framing).with_max_message_bytes(max);
            let mut errors = 0;
            for c in &chunks {
                match d.push(c) {
                    Ok(_) => {}
                    Err(_) => errors += 1,
                }
                prop_assert!(d.pending().len() <= max + 8);
            }
            if d.error().is_some() {
                // Reported at most once; at least once after one more push.
                let _ = d.push(&[]).map_err(|_| errors += 1);
                prop_assert_eq!(errors, 1);
            } else {
                prop_assert_eq!(errors, 0);
            }
        }
    }
}
