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

use crate::i18n::{tr, trf};

/// The default bound on one message, and so on the bytes a [`Deframer`]
/// buffers: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// How a byte stream is divided into messages.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Framing {
    /// No framing: each chunk received (each `recv`) is a message.
    #[default]
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
    EmptyDelimiter,
    /// A [`Framing::Fixed`] with size 0.
    ZeroFixedSize,
    /// A [`Framing::Fixed`] size larger than the deframer's limit.
    FixedSizeTooLarge {
        /// The configured size.
        size: usize,
        /// The deframer's `max_message_bytes`.
        limit: usize,
    },
    /// A received length header announces a message over the limit.
    LengthTooLarge {
        /// The stream offset of the header's first byte.
        offset: u64,
        /// The length read from the header.
        length: u64,
        /// The deframer's `max_message_bytes`.
        limit: usize,
    },
    /// A received length that counts the header is smaller than the header.
    LengthShorterThanHeader {
        /// The stream offset of the header's first byte.
        offset: u64,
        /// The length read from the header.
        length: u64,
        /// The header size.
        header: usize,
    },
    /// No delimiter was found within the limit.
    DelimiterNotFound {
        /// The stream offset where the unfinished message starts.
        offset: u64,
        /// The deframer's `max_message_bytes`.
        limit: usize,
    },
    /// Sending: the payload's length does not fit in the header.
    PayloadTooLong {
        /// The payload length.
        len: usize,
        /// The header size.
        width: usize,
        /// The longest payload the header allows.
        max: u64,
    },
    /// Sending: the payload is not exactly the fixed size.
    WrongFixedSize {
        /// The payload length.
        len: usize,
        /// The configured size.
        size: usize,
    },
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            FrameError::EmptyDelimiter => {
                tr("the delimiter is empty; enter at least one byte, e.g. \\n").to_owned()
            }
            FrameError::ZeroFixedSize => {
                tr("the fixed message size is 0; it must be at least 1 byte").to_owned()
            }
            FrameError::FixedSizeTooLarge { size, limit } => trf(
                "the fixed message size of {size} bytes is over the limit of {limit} bytes",
                &[("size", size), ("limit", limit)],
            ),
            FrameError::LengthTooLarge {
                offset,
                length,
                limit,
            } => trf(
                "length header at byte {offset} says {length} bytes, over the limit of {limit} \
                 bytes; the peer may be using a different header size or byte order",
                &[("offset", offset), ("length", length), ("limit", limit)],
            ),
            FrameError::LengthShorterThanHeader {
                offset,
                length,
                header,
            } => trf(
                "length header at byte {offset} says {length} bytes, but the length includes \
                 the {header}-byte header, so it must be at least {header}",
                &[("offset", offset), ("length", length), ("header", header)],
            ),
            FrameError::DelimiterNotFound { offset, limit } => trf(
                "no delimiter found in {limit} bytes starting at byte {offset}; the message is \
                 too long or the delimiter is wrong",
                &[("limit", limit), ("offset", offset)],
            ),
            FrameError::PayloadTooLong { len, width, max } => trf(
                "a {len}-byte payload is too long for a {width}-byte length header (at most \
                 {max} bytes)",
                &[("len", len), ("width", width), ("max", max)],
            ),
            FrameError::WrongFixedSize { len, size } => trf(
                "the payload is {len} bytes, but fixed-size messages must be exactly {size} bytes",
                &[("len", len), ("size", size)],
            ),
        };
        f.write_str(&text)
    }
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
#[path = "framing_tests.rs"]
mod tests;
