//! Pure byte work: text encodings, hex, escapes. No I/O, no GUI.

pub mod checksum;
pub mod compose;
pub mod escape;
pub mod framing;
pub mod hex;
pub mod pack;
pub mod template;
pub mod text;

pub use compose::{ComposeError, InputMode, LineEnding, build_payload};
pub use escape::EscapeError;
pub use hex::{HexError, format_hex, format_hex_into, parse_hex};
pub use text::{
    ChunkText, EncodeError, Segment, SegmentKind, StreamSplitter, TextEncoding, decode_display,
    decode_segments, encode,
};
