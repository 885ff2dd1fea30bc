//! Text-mode escapes: `\r` `\n` `\t` `\\` `\0` and `\xNN` (a raw byte).
//!
//! Because `\xNN` stands for a raw byte, not a character, escapes are not
//! turned into a string: [`pieces`] splits the input into runs of literal
//! text (to be encoded) and single raw bytes.

use std::fmt;

use crate::i18n::trf;

/// Why text-mode input has a bad escape. Positions are 0-based character
/// indices of the backslash; the messages show them 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscapeError {
    /// A backslash followed by a character that is not a known escape.
    UnknownEscape {
        /// The character after the backslash.
        ch: char,
        /// Where the backslash is.
        position: usize,
    },
    /// `\x` not followed by two hex digits.
    BadHexEscape {
        /// Where the backslash is.
        position: usize,
    },
    /// A backslash at the very end of the input.
    TrailingBackslash {
        /// Where the backslash is.
        position: usize,
    },
}

impl fmt::Display for EscapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            EscapeError::UnknownEscape { ch, position } => {
                let pos = position.saturating_add(1);
                let escape = shown_escape(*ch);
                trf(
                    "unknown escape {escape} at character {pos}; use \\\\ for a backslash",
                    &[("pos", &pos), ("escape", &escape)],
                )
            }
            EscapeError::BadHexEscape { position } => {
                let pos = position.saturating_add(1);
                trf(
                    "\\x at character {pos} needs two hex digits, e.g. \\x0A",
                    &[("pos", &pos)],
                )
            }
            EscapeError::TrailingBackslash { position } => {
                let pos = position.saturating_add(1);
                trf(
                    "the backslash at character {pos} ends the text; use \\\\ for a backslash",
                    &[("pos", &pos)],
                )
            }
        };
        f.write_str(&text)
    }
}

/// Shows an unknown escape as `'\q'`, or for an invisible character as
/// "'\' followed by U+000A".
fn shown_escape(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        let code = format!("{:04X}", u32::from(c));
        trf("'\\' followed by U+{code}", &[("code", &code)])
    } else {
        format!("'\\{c}'")
    }
}

/// One piece of text-mode input after resolving escapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text, to be encoded; never empty.
    Text {
        /// The text, borrowed from the input.
        text: &'a str,
        /// The 0-based character index in the input where it starts.
        char_start: usize,
    },
    /// A byte given by an escape. `\r` `\n` `\t` `\\` `\0` give their ASCII
    /// byte (the same in every supported encoding); `\xNN` gives byte `NN`.
    Byte(u8),
}

/// Splits `input` into [`Piece`]s, resolving escapes. Stops after the
/// first error.
pub fn pieces(input: &str) -> Pieces<'_> {
    Pieces {
        input,
        byte_pos: 0,
        char_pos: 0,
    }
}

/// Iterator returned by [`pieces`].
#[derive(Debug, Clone)]
pub struct Pieces<'a> {
    input: &'a str,
    /// Byte offset of the next unread character.
    byte_pos: usize,
    /// Character index of the next unread character.
    char_pos: usize,
}

impl<'a> Pieces<'a> {
    /// Stops the iteration and returns `err`.
    fn fail(&mut self, err: EscapeError) -> Option<Result<Piece<'a>, EscapeError>> {
        self.byte_pos = self.input.len();
        Some(Err(err))
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Result<Piece<'a>, EscapeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.input.get(self.byte_pos..).unwrap_or("");
        if rest.is_empty() {
            return None;
        }
        let position = self.char_pos;
        let Some(after_backslash) = rest.strip_prefix('\\') else {
            let len = rest.find('\\').unwrap_or(rest.len());
            let text = rest.get(..len).unwrap_or(rest);
            self.byte_pos = self.byte_pos.saturating_add(len);
            self.char_pos = self.char_pos.saturating_add(text.chars().count());
            return Some(Ok(Piece::Text {
                text,
                char_start: position,
            }));
        };
        let mut after = after_backslash.chars();
        let Some(ch) = after.next() else {
            return self.fail(EscapeError::TrailingBackslash { position });
        };
        let byte = match ch {
            'r' => b'\r',
            'n' => b'\n',
            't' => b'\t',
            '\\' => b'\\',
            '0' => 0,
            'x' => {
                let hi = after.next().and_then(|c| c.to_digit(16));
                let lo = after.next().and_then(|c| c.to_digit(16));
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return self.fail(EscapeError::BadHexEscape { position });
                };
                let Ok(b) = u8::try_from(hi * 16 + lo) else {
                    return self.fail(EscapeError::BadHexEscape { position });
                };
                // Backslash, 'x' and two ASCII digits.
                self.byte_pos = self.byte_pos.saturating_add(4);
                self.char_pos = self.char_pos.saturating_add(4);
                return Some(Ok(Piece::Byte(b)));
            }
            _ => return self.fail(EscapeError::UnknownEscape { ch, position }),
        };
        self.byte_pos = self.byte_pos.saturating_add(2);
        self.char_pos = self.char_pos.saturating_add(2);
        Some(Ok(Piece::Byte(byte)))
    }
}

/// Resolves escapes in `input`, with literal text taken as UTF-8. Mostly
/// for tests and tools; sending uses [`crate::codec::compose::build_payload`],
/// which encodes the text in the chosen encoding.
pub fn unescape_utf8(input: &str) -> Result<Vec<u8>, EscapeError> {
    let mut out = Vec::with_capacity(input.len());
    for piece in pieces(input) {
        match piece? {
            Piece::Text { text, .. } => out.extend_from_slice(text.as_bytes()),
            Piece::Byte(b) => out.push(b),
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn resolves_all_escapes() {
        assert_eq!(
            unescape_utf8(r"a\x41\r\n\t\\\0\xff\xFe").unwrap(),
            b"aA\r\n\t\\\0\xFF\xFE".to_vec()
        );
        assert_eq!(unescape_utf8("").unwrap(), Vec::<u8>::new());
        assert_eq!(unescape_utf8("plain é").unwrap(), "plain é".as_bytes());
    }

    #[test]
    fn pieces_carry_char_positions() {
        let got: Vec<_> = pieces(r"é\nab\x00ü").collect::<Result<_, _>>().unwrap();
        assert_eq!(
            got,
            vec![
                Piece::Text {
                    text: "é",
                    char_start: 0
                },
                Piece::Byte(b'\n'),
                Piece::Text {
                    text: "ab",
                    char_start: 3
                },
                Piece::Byte(0),
                Piece::Text {
                    text: "ü",
                    char_start: 9
                },
            ]
        );
    }

    #[test]
    fn unknown_escape() {
        let err = unescape_utf8(r"abcd\q").unwrap_err();
        assert_eq!(
            err,
            EscapeError::UnknownEscape {
                ch: 'q',
                position: 4
            }
        );
        assert_eq!(
            err.to_string(),
            r"unknown escape '\q' at character 5; use \\ for a backslash"
        );
        let err = unescape_utf8("é\\\n").unwrap_err();
        assert_eq!(
            err,
            EscapeError::UnknownEscape {
                ch: '\n',
                position: 1
            }
        );
        assert_eq!(
            err.to_string(),
            r"unknown escape '\' followed by U+000A at character 2; use \\ for a backslash"
        );
        // Escapes are case-sensitive: \N is not \n.
        assert!(matches!(
            unescape_utf8(r"\N"),
            Err(EscapeError::UnknownEscape { ch: 'N', .. })
        ));
        assert!(matches!(
            unescape_utf8(r"\中"),
            Err(EscapeError::UnknownEscape { ch: '中', .. })
        ));
    }

    #[test]
    fn bad_hex_escape() {
        for input in [
            r"ab\x4", r"ab\x", r"ab\xG1", r"ab\x4G", "ab\\x4é", "ab\\x é",
        ] {
            assert_eq!(
                unescape_utf8(input).unwrap_err(),
                EscapeError::BadHexEscape { position: 2 },
                "{input}"
            );
        }
        assert_eq!(
            EscapeError::BadHexEscape { position: 4 }.to_string(),
            r"\x at character 5 needs two hex digits, e.g. \x0A"
        );
    }

    #[test]
    fn trailing_backslash() {
        let err = unescape_utf8("中\\").unwrap_err();
        assert_eq!(err, EscapeError::TrailingBackslash { position: 1 });
        assert_eq!(
            err.to_string(),
            r"the backslash at character 2 ends the text; use \\ for a backslash"
        );
        // An escaped backslash at the end is fine.
        assert_eq!(unescape_utf8(r"a\\").unwrap(), b"a\\".to_vec());
    }

    #[test]
    fn stops_after_error() {
        let mut it = pieces(r"\qabc");
        assert!(matches!(it.next(), Some(Err(_))));
        assert_eq!(it.next(), None);
    }

    proptest! {
        #[test]
        fn prop_never_panics(s in any::<String>()) {
            let _ = unescape_utf8(&s);
        }

        #[test]
        fn prop_escapy_never_panics(s in "[a\\\\xrnt0-9A-Fé中]{0,30}") {
            if let Err(e) = unescape_utf8(&s) {
                let position = match e {
                    EscapeError::UnknownEscape { position, .. }
                    | EscapeError::BadHexEscape { position }
                    | EscapeError::TrailingBackslash { position } => position,
                };
                prop_assert_eq!(s.chars().nth(position), Some('\\'));
            }
        }

        #[test]
        fn prop_no_backslash_is_literal(s in "[^\\\\]{0,40}") {
            prop_assert_eq!(unescape_utf8(&s).unwrap(), s.as_bytes());
        }

        #[test]
        fn prop_escaped_bytes_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let text: String = bytes.iter().map(|b| format!("\\x{b:02X}")).collect();
            prop_assert_eq!(unescape_utf8(&text).unwrap(), bytes);
        }
    }
}
