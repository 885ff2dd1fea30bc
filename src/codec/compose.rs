//! Turning what the user typed in the send box into the bytes to send.

use super::escape::{self, EscapeError, Piece};
use super::hex::{HexError, parse_hex};
use super::text::{EncodeError, TextEncoding, encode_into};
use crate::i18n::tr;

/// How the send box's text is read.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum InputMode {
    /// Text, encoded in the chosen encoding (with optional escapes).
    #[default]
    Text,
    /// Hex digits giving the exact bytes.
    Hex,
}

impl InputMode {
    /// Every mode, in menu order.
    pub const ALL: [InputMode; 2] = [InputMode::Text, InputMode::Hex];

    /// The name shown to users: "Text" or "Hex".
    pub fn label(self) -> &'static str {
        match self {
            InputMode::Text => tr("Text"),
            InputMode::Hex => tr("Hex"),
        }
    }
}

/// What to append to text-mode input.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum LineEnding {
    /// Nothing.
    #[default]
    None,
    /// `\n`.
    Lf,
    /// `\r\n`.
    CrLf,
}

impl LineEnding {
    /// Every line ending, in menu order.
    pub const ALL: [LineEnding; 3] = [LineEnding::None, LineEnding::Lf, LineEnding::CrLf];

    /// The name shown to users: "None", "LF" or "CRLF".
    pub fn label(self) -> &'static str {
        match self {
            LineEnding::None => tr("None"),
            LineEnding::Lf => "LF",
            LineEnding::CrLf => "CRLF",
        }
    }

    /// The bytes appended (ASCII, the same in every supported encoding).
    pub fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::None => b"",
            LineEnding::Lf => b"\n",
            LineEnding::CrLf => b"\r\n",
        }
    }
}

/// Why the send box's content cannot be turned into bytes. Every position
/// in it is a character index into the whole input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// Hex mode: the input is not valid hex.
    #[error(transparent)]
    Hex(#[from] HexError),
    /// Text mode: a bad escape.
    #[error(transparent)]
    Escape(#[from] EscapeError),
    /// Text mode: a character the encoding cannot represent.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// Text mode: resolve escapes (when `escapes` is true; otherwise the text is
/// taken literally), encode the text runs with `encoding`, append the line
/// ending. Hex mode: [`parse_hex`]; the line ending is NOT appended (hex is
/// exact bytes) and `encoding` and `escapes` are ignored.
///
/// Positions in errors refer to the char index in `input` (for encode errors
/// too: the index of the unmappable char in the original input, not within
/// a run).
pub fn build_payload(
    input: &str,
    mode: InputMode,
    encoding: TextEncoding,
    line_ending: LineEnding,
    escapes: bool,
) -> Result<Vec<u8>, ComposeError> {
    if mode == InputMode::Hex {
        return Ok(parse_hex(input)?);
    }
    let mut out = Vec::with_capacity(input.len().saturating_add(2));
    if escapes {
        for piece in escape::pieces(input) {
            match piece? {
                Piece::Text { text, char_start } => {
                    encode_into(encoding, text, &mut out).map_err(|e| shift(e, char_start))?;
                }
                Piece::Byte(b) => out.push(b),
            }
        }
    } else {
        encode_into(encoding, input, &mut out)?;
    }
    out.extend_from_slice(line_ending.bytes());
    Ok(out)
}

/// Moves an error's position from within a run to within the whole input.
fn shift(err: EncodeError, char_start: usize) -> EncodeError {
    match err {
        EncodeError::Unmappable {
            ch,
            char_index,
            encoding,
        } => EncodeError::Unmappable {
            ch,
            char_index: char_index.saturating_add(char_start),
            encoding,
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(input: &str, enc: TextEncoding, le: LineEnding) -> Result<Vec<u8>, ComposeError> {
        build_payload(input, InputMode::Text, enc, le, true)
    }

    #[test]
    fn labels() {
        assert_eq!(
            LineEnding::ALL.map(LineEnding::label),
            ["None", "LF", "CRLF"]
        );
        assert_eq!(InputMode::ALL.map(InputMode::label), ["Text", "Hex"]);
        assert_eq!(LineEnding::default(), LineEnding::None);
        assert_eq!(InputMode::default(), InputMode::Text);
    }

    #[test]
    fn escapes_resolve() {
        assert_eq!(
            text(r"a\x41\r\n", TextEncoding::Utf8, LineEnding::None).unwrap(),
            b"aA\r\n".to_vec()
        );
    }

    #[test]
    fn hex_escape_is_raw_byte_in_utf8() {
        assert_eq!(
            text(r"\xFF", TextEncoding::Utf8, LineEnding::None).unwrap(),
            vec![0xFF]
        );
        // Whereas the character U+00FF is two bytes in UTF-8.
        assert_eq!(
            text("ÿ", TextEncoding::Utf8, LineEnding::None).unwrap(),
            vec![0xC3, 0xBF]
        );
    }

    #[test]
    fn gbk_with_crlf() {
        assert_eq!(
            text("你好", TextEncoding::Gbk, LineEnding::CrLf).unwrap(),
            vec![0xC4, 0xE3, 0xBA, 0xC3, b'\r', b'\n']
        );
        assert_eq!(
            text(r"你\x00好", TextEncoding::Gbk, LineEnding::Lf).unwrap(),
            vec![0xC4, 0xE3, 0, 0xBA, 0xC3, b'\n']
        );
    }

    #[test]
    fn escapes_off_is_literal() {
        assert_eq!(
            build_payload(
                r"a\x41\q\",
                InputMode::Text,
                TextEncoding::Utf8,
                LineEnding::Lf,
                false
            )
            .unwrap(),
            b"a\\x41\\q\\\n".to_vec()
        );
    }

    #[test]
    fn hex_mode_ignores_line_ending() {
        assert_eq!(
            build_payload(
                "48 69",
                InputMode::Hex,
                TextEncoding::Gbk,
                LineEnding::CrLf,
                true
            )
            .unwrap(),
            b"Hi".to_vec()
        );
        assert_eq!(
            build_payload(
                "",
                InputMode::Hex,
                TextEncoding::Utf8,
                LineEnding::CrLf,
                true
            )
            .unwrap(),
            Vec::<u8>::new()
        );
    }

    #[test]
    fn hex_errors() {
        let err = build_payload(
            "48 6",
            InputMode::Hex,
            TextEncoding::Utf8,
            LineEnding::None,
            true,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ComposeError::Hex(HexError::OddDigits {
                count: 1,
                position: 3
            })
        );
        assert!(err.to_string().contains("character 4"));
        let err = build_payload(
            "zz",
            InputMode::Hex,
            TextEncoding::Utf8,
            LineEnding::None,
            true,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "'z' at character 1 is not a hex digit");
    }

    #[test]
    fn escape_errors() {
        assert_eq!(
            text(r"ab\q", TextEncoding::Utf8, LineEnding::None).unwrap_err(),
            ComposeError::Escape(EscapeError::UnknownEscape {
                ch: 'q',
                position: 2
            })
        );
        assert_eq!(
            text(r"\x4", TextEncoding::Utf8, LineEnding::None).unwrap_err(),
            ComposeError::Escape(EscapeError::BadHexEscape { position: 0 })
        );
        let err = text("你\\", TextEncoding::Gbk, LineEnding::None).unwrap_err();
        assert_eq!(
            err,
            ComposeError::Escape(EscapeError::TrailingBackslash { position: 1 })
        );
        assert_eq!(
            err.to_string(),
            r"the backslash at character 2 ends the text; use \\ for a backslash"
        );
    }

    #[test]
    fn encode_error_position_in_whole_input() {
        // The emoji is character 6 (0-based) of the input, 2 within its run.
        let err = text(r"好\x41\n好a😀", TextEncoding::Gbk, LineEnding::None).unwrap_err();
        assert_eq!(
            err,
            ComposeError::Encode(EncodeError::Unmappable {
                ch: '😀',
                char_index: 9,
                encoding: TextEncoding::Gbk
            })
        );
        assert_eq!(
            err.to_string(),
            "'😀' (U+1F600) at character 10 cannot be represented in GBK"
        );
        let err = build_payload(
            "ab€",
            InputMode::Text,
            TextEncoding::Latin1,
            LineEnding::None,
            false,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ComposeError::Encode(EncodeError::Unmappable {
                ch: '€',
                char_index: 2,
                encoding: TextEncoding::Latin1
            })
        );
    }

    #[test]
    fn ten_megabytes() {
        let unit = r"你好 world \x41\r\n";
        let input = unit.repeat(10 * 1024 * 1024 / unit.len());
        let n = 10 * 1024 * 1024 / unit.len();
        for enc in [TextEncoding::Gbk, TextEncoding::Utf8] {
            let out = text(&input, enc, LineEnding::Lf).unwrap();
            let per = if enc == TextEncoding::Utf8 { 6 } else { 4 } + 7 + 3;
            assert_eq!(out.len(), n * per + 1);
        }
        // Many tiny runs between escapes.
        let input = r"a\x00".repeat(2 * 1024 * 1024);
        let out = text(&input, TextEncoding::ShiftJis, LineEnding::None).unwrap();
        assert_eq!(out.len(), 4 * 1024 * 1024);
        let hex = "ab ".repeat(3 * 1024 * 1024);
        let out = build_payload(
            &hex,
            InputMode::Hex,
            TextEncoding::Utf8,
            LineEnding::None,
            true,
        )
        .unwrap();
        assert_eq!(out.len(), 3 * 1024 * 1024);
    }

    proptest! {
        #[test]
        fn prop_never_panics(
            s in any::<String>(),
            hex in any::<bool>(),
            escapes in any::<bool>(),
            enc in proptest::sample::select(TextEncoding::ALL.to_vec()),
            le in proptest::sample::select(LineEnding::ALL.to_vec()),
        ) {
            let mode = if hex { InputMode::Hex } else { InputMode::Text };
            match build_payload(&s, mode, enc, le, escapes) {
                Ok(_) => {}
                Err(ComposeError::Encode(EncodeError::Unmappable { ch, char_index, .. })) => {
                    prop_assert_eq!(s.chars().nth(char_index), Some(ch));
                }
                Err(e) => {
                    prop_assert!(!e.to_string().is_empty());
                }
            }
        }

        #[test]
        fn prop_literal_utf8_is_identity(s in any::<String>()) {
            let out = build_payload(&s, InputMode::Text, TextEncoding::Utf8, LineEnding::None, false).unwrap();
            prop_assert_eq!(out, s.as_bytes());
        }
    }
}
