//! Hex text: formatting bytes as `48 65 6C` and parsing what users type.

use std::fmt;

use crate::i18n::trf;

/// Uppercase hex digits by value.
const DIGITS: &[u8; 16] = b"0123456789ABCDEF";

/// Formats as uppercase pairs separated by single spaces: "48 65 6C".
pub fn format_hex(bytes: &[u8]) -> String {
    let mut out = String::new();
    format_hex_into(&mut out, bytes);
    out
}

/// Like [`format_hex`], but appends to `out`.
pub fn format_hex_into(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len().saturating_mul(3));
    for (i, &b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0F)]));
    }
}

/// Why hex input could not be parsed. Positions are 0-based character
/// indices into the input; the messages show them 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// A character that is neither a hex digit nor a separator.
    InvalidChar {
        /// The offending character.
        ch: char,
        /// Its 0-based character index.
        position: usize,
    },
    /// A group of digits (between separators) has an odd number of digits.
    OddDigits {
        /// How many digits the group has.
        count: usize,
        /// The 0-based character index of the group's last digit, the one
        /// without a partner.
        position: usize,
    },
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            HexError::InvalidChar { ch, position } => {
                let pos = position.saturating_add(1);
                let ch = ch.escape_debug().to_string();
                trf(
                    "'{ch}' at character {pos} is not a hex digit",
                    &[("pos", &pos), ("ch", &ch)],
                )
            }
            HexError::OddDigits { count, position } => {
                let pos = position.saturating_add(1);
                trf(
                    "odd number of hex digits ({count}): the digit at character {pos} has no \
                     partner; write each byte as two digits, e.g. 0A",
                    &[("count", count), ("pos", &pos)],
                )
            }
        };
        f.write_str(&text)
    }
}

/// Whether `c` separates groups of hex digits.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | ':' | '-' | ';')
}

/// Parses hex typed by a user into bytes.
///
/// Accepted: `48 65 6C`, `48656c`, `0x48,0x65`, `0X48`. Groups are separated
/// by any run of whitespace (including newlines) or `,` `:` `-` `;`. A group
/// may start with `0x` or `0X` (only when digits follow it; the prefix is
/// recognised only at the start of a group). Within a group, digits pair up
/// into bytes left to right, so each group must have an even number of
/// digits: `4 8` is an error ([`HexError::OddDigits`]), write `48`. Digits
/// may be upper or lower case. Empty or separator-only input gives no bytes.
pub fn parse_hex(input: &str) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::with_capacity(input.len() / 2);
    let bytes = input.as_bytes();
    // (high nibble, its char index) of a digit waiting for its partner.
    let mut high: Option<(u8, usize)> = None;
    let mut group_digits = 0usize;
    let mut at_group_start = true;
    let mut chars = input.char_indices().enumerate();
    while let Some((position, (byte_index, ch))) = chars.next() {
        if is_separator(ch) {
            if let Some((_, pos)) = high {
                return Err(HexError::OddDigits {
                    count: group_digits,
                    position: pos,
                });
            }
            group_digits = 0;
            at_group_start = true;
            continue;
        }
        if at_group_start && ch == '0' {
            let x = bytes.get(byte_index.saturating_add(1)).copied();
            let after = bytes.get(byte_index.saturating_add(2)).copied();
            if matches!(x, Some(b'x' | b'X')) && after.is_some_and(|b| b.is_ascii_hexdigit()) {
                chars.next(); // skip the 'x'
                at_group_start = false;
                continue;
            }
        }
        at_group_start = false;
        let Some(nibble) = ch.to_digit(16).and_then(|d| u8::try_from(d).ok()) else {
            return Err(HexError::InvalidChar { ch, position });
        };
        group_digits = group_digits.saturating_add(1);
        match high.take() {
            Some((hi, _)) => out.push((hi << 4) | nibble),
            None => high = Some((nibble, position)),
        }
    }
    if let Some((_, pos)) = high {
        return Err(HexError::OddDigits {
            count: group_digits,
            position: pos,
        });
    }
    Ok(out)
}

/// One line of an offset hex dump: `00000000  48 65 6C …  |Hel…|`, `per_line`
/// bytes a line (a gap after each 8).
pub fn hex_dump_line(bytes: &[u8], offset: usize, per_line: usize) -> String {
    let mut s = format!("{offset:08X}  ");
    for i in 0..per_line {
        match bytes.get(i) {
            Some(b) => s.push_str(&format!("{b:02X} ")),
            None => s.push_str("   "),
        }
        if i % 8 == 7 && i + 1 < per_line {
            s.push(' ');
        }
    }
    s.push_str(" |");
    s.extend(bytes.iter().map(|&b| {
        if b.is_ascii_graphic() || b == b' ' {
            char::from(b)
        } else {
            '.'
        }
    }));
    s.push('|');
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_uppercase_pairs() {
        assert_eq!(format_hex(b"Hel"), "48 65 6C");
        assert_eq!(format_hex(&[]), "");
        assert_eq!(format_hex(&[0x00, 0xFF, 0x0A]), "00 FF 0A");
        let mut s = String::from("> ");
        format_hex_into(&mut s, &[1]);
        assert_eq!(s, "> 01");
    }

    #[test]
    fn parses_accepted_forms() {
        let hel = vec![0x48, 0x65, 0x6C];
        assert_eq!(parse_hex("48 65 6C").unwrap(), hel);
        assert_eq!(parse_hex("48656c").unwrap(), hel);
        assert_eq!(parse_hex("0x48,0x65,0x6c").unwrap(), hel);
        assert_eq!(parse_hex("0X48 0x656C").unwrap(), hel);
        assert_eq!(parse_hex("48:65-6C;").unwrap(), hel);
        assert_eq!(parse_hex("  48\n65\r\n\t6c  ").unwrap(), hel);
        assert_eq!(parse_hex("48, 65, 6C").unwrap(), hel);
        assert_eq!(parse_hex("00").unwrap(), vec![0]);
        assert_eq!(parse_hex("0x00").unwrap(), vec![0]);
        assert_eq!(parse_hex("000A").unwrap(), vec![0, 0x0A]);
    }

    #[test]
    fn empty_input_is_empty() {
        assert_eq!(parse_hex("").unwrap(), Vec::<u8>::new());
        assert_eq!(parse_hex(" \n\t ").unwrap(), Vec::<u8>::new());
        assert_eq!(parse_hex(",;:-").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn invalid_char() {
        let err = parse_hex("48 6G").unwrap_err();
        assert_eq!(
            err,
            HexError::InvalidChar {
                ch: 'G',
                position: 4
            }
        );
        assert_eq!(err.to_string(), "'G' at character 5 is not a hex digit");
        // "0x" only as a group prefix.
        assert_eq!(
            parse_hex("480x65").unwrap_err(),
            HexError::InvalidChar {
                ch: 'x',
                position: 3
            }
        );
        // "0x" with no digits after it.
        assert_eq!(
            parse_hex("0x").unwrap_err(),
            HexError::InvalidChar {
                ch: 'x',
                position: 1
            }
        );
        // Positions count characters, not bytes.
        assert_eq!(
            parse_hex("é").unwrap_err(),
            HexError::InvalidChar {
                ch: 'é',
                position: 0
            }
        );
        assert_eq!(
            parse_hex("ééz").unwrap_err(),
            HexError::InvalidChar {
                ch: 'é',
                position: 0
            }
        );
        assert_eq!(
            parse_hex("00 00 中").unwrap_err(),
            HexError::InvalidChar {
                ch: '中',
                position: 6
            }
        );
    }

    #[test]
    fn odd_digits() {
        let err = parse_hex("48 656C C").unwrap_err();
        assert_eq!(
            err,
            HexError::OddDigits {
                count: 1,
                position: 8
            }
        );
        let err = parse_hex("48 6 5C").unwrap_err();
        assert_eq!(
            err,
            HexError::OddDigits {
                count: 1,
                position: 3
            }
        );
        let err = parse_hex("4865C").unwrap_err();
        assert_eq!(
            err,
            HexError::OddDigits {
                count: 5,
                position: 4
            }
        );
        assert_eq!(
            err.to_string(),
            "odd number of hex digits (5): the digit at character 5 has no partner; write each byte as two digits, e.g. 0A"
        );
        assert!(matches!(
            parse_hex("4 8"),
            Err(HexError::OddDigits {
                count: 1,
                position: 0
            })
        ));
        assert!(matches!(
            parse_hex("0x486,00"),
            Err(HexError::OddDigits {
                count: 3,
                position: 4
            })
        ));
    }

    #[test]
    fn large_input() {
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| i as u8).collect();
        let text = format_hex(&bytes);
        assert_eq!(parse_hex(&text).unwrap(), bytes);
    }

    proptest! {
        #[test]
        fn prop_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            prop_assert_eq!(parse_hex(&format_hex(&bytes)).unwrap(), bytes);
        }

        #[test]
        fn prop_prefixed_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..50)) {
            let text: Vec<String> = bytes.iter().map(|b| format!("0x{b:02x}")).collect();
            prop_assert_eq!(parse_hex(&text.join(",")).unwrap(), bytes);
        }

        #[test]
        fn prop_never_panics(s in any::<String>()) {
            let _ = parse_hex(&s);
        }

        #[test]
        fn prop_never_panics_hexish(s in "[0-9a-fA-FxX ,:;\\-\n]{0,40}") {
            if let Err(e) = parse_hex(&s) {
                let position = match e {
                    HexError::InvalidChar { position, .. } | HexError::OddDigits { position, .. } => position,
                };
                prop_assert!(position < s.chars().count());
            }
        }
    }
}
