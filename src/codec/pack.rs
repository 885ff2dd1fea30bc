//! Binary records in the style of Python's `struct` module: formats such as
//! `!HI10s`, packing typed values into bytes and unpacking them back.
//!
//! A format is an optional first character choosing byte order, size and
//! alignment, then format characters, each with an optional count:
//!
//! | Prefix | Byte order | Sizes | Alignment |
//! |---|---|---|---|
//! | `@` or none | native | native | native (C struct padding) |
//! | `=` | native | standard | none |
//! | `<` | little-endian | standard | none |
//! | `>` or `!` | big-endian (network) | standard | none |
//!
//! "Native" means the machine Sockbench runs on, as in Python: on x86_64
//! and aarch64 that is little-endian, with C sizes and alignments (`l` and
//! `L` are 8 bytes on Linux and macOS, 4 on Windows). With `@`, padding is
//! inserted before each field to align it as a C compiler would; nothing is
//! added at the end unless the format ends with a zero count such as `0i`.
//!
//! | Char | Value | Standard size |
//! |---|---|---|
//! | `x` | pad byte, no value | 1 |
//! | `c` | bytes of length 1 | 1 |
//! | `b` / `B` | signed / unsigned integer | 1 |
//! | `?` | bool | 1 |
//! | `h` / `H` | signed / unsigned integer | 2 |
//! | `i` / `I`, `l` / `L` | signed / unsigned integer | 4 |
//! | `q` / `Q` | signed / unsigned integer | 8 |
//! | `n` / `N` | `ssize_t` / `size_t`, native mode only | — |
//! | `f` / `d` | float / double | 4 / 8 |
//! | `s` | bytes | count |
//!
//! A count repeats the character (`3i` is three integers, `3x` three pad
//! bytes), except for `s`, where it is the length of one bytes field (`10s`
//! is one 10-byte field, `0s` one empty one). Whitespace between fields is
//! ignored. `e`, `p` and `P` are not supported.
//!
//! One difference from Python: a value too large for `f` is an error in
//! every mode (Python silently stores infinity in native mode).

use std::fmt;

use crate::i18n::{tr, trf};

/// The largest record a format may describe: 16 MiB.
pub const MAX_FORMAT_BYTES: usize = 16 * 1024 * 1024;

/// Whether this machine is little-endian (the byte order of `@` and `=`).
const NATIVE_LITTLE: bool = cfg!(target_endian = "little");

/// The byte order of a format's multi-byte fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Least significant byte first (`<`, and native on x86_64/aarch64).
    Little,
    /// Most significant byte first (`>`, `!`: network order).
    Big,
}

/// What a format character stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `x`: a zero byte, no value.
    Pad,
    /// `c`: one byte, as bytes of length 1.
    Char,
    /// `?`: a bool.
    Bool,
    /// An integer of `size` bytes.
    Int {
        /// Whether negative values are allowed.
        signed: bool,
    },
    /// `f` (size 4) or `d` (size 8).
    Float,
    /// `s`: bytes padded or truncated to the count.
    Bytes,
}

/// One format character with its count, placed in the record.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Item {
    /// The format character.
    code: char,
    /// What it stores.
    kind: Kind,
    /// The count (for `s`, the byte length of its single field).
    count: usize,
    /// Size of one element (for `s`, 1).
    size: usize,
    /// Offset of the first element.
    offset: usize,
}

/// A parsed format, ready for [`pack`] and [`unpack`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Format {
    /// Byte order of multi-byte fields.
    order: ByteOrder,
    /// Whether native alignment padding applies (`@` or no prefix).
    aligned: bool,
    /// The format characters in order.
    items: Vec<Item>,
    /// Total size in bytes.
    size: usize,
    /// Number of value fields.
    value_count: usize,
}

/// One value-carrying field of a [`Format`] (pad bytes are not fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// The field's 0-based index among the values (error messages show it
    /// 1-based).
    pub index: usize,
    /// The format character, e.g. `'h'`.
    pub code: char,
    /// Offset of its first byte in the record.
    pub offset: usize,
    /// Its size in bytes.
    pub size: usize,
}

impl Field {
    /// For integer fields, the smallest and largest value that fits.
    pub fn int_range(&self) -> Option<(i128, i128)> {
        match kind_of(self.code) {
            Some(Kind::Int { signed }) => Some(int_range(self.size, signed)),
            _ => None,
        }
    }
}

impl Format {
    /// The record size in bytes, including padding (Python's
    /// `struct.calcsize`).
    pub fn size(&self) -> usize {
        self.size
    }

    /// How many values [`pack`] takes and [`unpack`] returns.
    pub fn value_count(&self) -> usize {
        self.value_count
    }

    /// The byte order of multi-byte fields.
    pub fn byte_order(&self) -> ByteOrder {
        self.order
    }

    /// Whether native C alignment padding applies (`@` or no prefix).
    pub fn is_native_aligned(&self) -> bool {
        self.aligned
    }

    /// The value-carrying fields in order, with their place in the record.
    /// Pad bytes (`x`, alignment) are not listed; `10s` is one field and
    /// `3i` three.
    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        let mut index = 0usize;
        self.items
            .iter()
            .filter(|item| item.kind != Kind::Pad)
            .flat_map(move |item| {
                let (n, size) = if item.kind == Kind::Bytes {
                    (1, item.count)
                } else {
                    (item.count, item.size)
                };
                let first = index;
                index = index.saturating_add(n);
                (0..n).map(move |k| Field {
                    index: first.saturating_add(k),
                    code: item.code,
                    offset: item.offset.saturating_add(k.saturating_mul(size)),
                    size,
                })
            })
    }
}

/// A value packed into or unpacked from a field.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An integer (`b B h H i I l L q Q n N`).
    Int(i128),
    /// A float (`f d`).
    Float(f64),
    /// Bytes (`s`, and `c` with length 1).
    Bytes(Vec<u8>),
    /// A bool (`?`).
    Bool(bool),
}

/// Why a format, a value list or a record was rejected. Character
/// positions are 0-based; messages show them 1-based. Field and value
/// numbers are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    /// A character that is not a format character.
    BadChar {
        /// The character.
        ch: char,
        /// Its 0-based character index.
        position: usize,
    },
    /// A Python format character this module does not handle.
    Unsupported {
        /// The character (`e`, `p` or `P`).
        ch: char,
        /// Its 0-based character index.
        position: usize,
    },
    /// `n` or `N` with a standard-size prefix.
    NativeOnly {
        /// The character.
        ch: char,
        /// Its 0-based character index.
        position: usize,
    },
    /// A byte-order prefix that is not the first character.
    MisplacedPrefix {
        /// The prefix character.
        ch: char,
        /// Its 0-based character index.
        position: usize,
    },
    /// A count not directly followed by a format character.
    CountWithoutChar {
        /// 0-based character index of the count's first digit.
        position: usize,
    },
    /// A format whose record would be larger than [`MAX_FORMAT_BYTES`].
    FormatTooLarge,
    /// The number of values does not match the format.
    CountMismatch {
        /// Values the format takes.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// An integer outside its field's range.
    OutOfRange {
        /// The format character.
        code: char,
        /// 1-based field number.
        field: usize,
        /// The value given.
        value: i128,
        /// Smallest allowed.
        min: i128,
        /// Largest allowed.
        max: i128,
    },
    /// A value of the wrong type for its field.
    WrongType {
        /// The format character.
        code: char,
        /// 1-based field number.
        field: usize,
        /// What the field takes, e.g. "an integer".
        expected: &'static str,
        /// The value given, as Python would show it.
        got: String,
    },
    /// A `c` value that is not exactly one byte.
    CharLength {
        /// 1-based field number.
        field: usize,
        /// Bytes given.
        len: usize,
    },
    /// A float too large for a 4-byte float.
    FloatTooLarge {
        /// 1-based field number.
        field: usize,
        /// The value, as Python would show it.
        value: String,
    },
    /// Unpacking bytes of the wrong length.
    WrongLength {
        /// The format's size.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// A value in the value list is empty.
    EmptyValue {
        /// 1-based value number.
        item: usize,
    },
    /// A value that is not a number, bool or bytes.
    BadValue {
        /// 1-based value number.
        item: usize,
        /// The text given.
        text: String,
    },
    /// An integer too large to handle.
    IntTooLarge {
        /// 1-based value number.
        item: usize,
        /// The text given.
        text: String,
    },
    /// A quoted value without its closing quote.
    UnclosedQuote {
        /// 1-based value number.
        item: usize,
    },
    /// A non-ASCII character in a `b'...'` literal.
    NonAsciiBytes {
        /// 1-based value number.
        item: usize,
        /// The character.
        ch: char,
    },
    /// A malformed escape in a quoted value.
    BadEscape {
        /// 1-based value number.
        item: usize,
        /// What is wrong, e.g. "\\x needs two hex digits".
        reason: &'static str,
    },
    /// Text after a complete value.
    TrailingText {
        /// 1-based value number.
        item: usize,
        /// The unexpected text.
        text: String,
    },
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            PackError::BadChar { ch, position } => {
                let pos = position.saturating_add(1);
                let ch = ch.escape_debug().to_string();
                trf(
                    "'{ch}' at character {pos} is not a format character; use x c b B ? h H i I \
                     l L q Q n N f d s",
                    &[("pos", &pos), ("ch", &ch)],
                )
            }
            PackError::Unsupported { ch, position } => {
                let pos = position.saturating_add(1);
                trf(
                    "'{ch}' at character {pos} is not supported here; use x c b B ? h H i I l L \
                     q Q n N f d s",
                    &[("pos", &pos), ("ch", ch)],
                )
            }
            PackError::NativeOnly { ch, position } => {
                let pos = position.saturating_add(1);
                trf(
                    "'{ch}' at character {pos} exists only in native mode (no prefix or '@')",
                    &[("pos", &pos), ("ch", ch)],
                )
            }
            PackError::MisplacedPrefix { ch, position } => {
                let pos = position.saturating_add(1);
                trf(
                    "'{ch}' at character {pos} must be the first character of the format",
                    &[("pos", &pos), ("ch", ch)],
                )
            }
            PackError::CountWithoutChar { position } => {
                let pos = position.saturating_add(1);
                trf(
                    "the count at character {pos} must be followed directly by a format \
                     character",
                    &[("pos", &pos)],
                )
            }
            PackError::FormatTooLarge => trf(
                "the format describes more than {limit} bytes",
                &[("limit", &MAX_FORMAT_BYTES)],
            ),
            PackError::CountMismatch { expected, got } => trf(
                "the format needs {expected} values, but {got} were given",
                &[("expected", expected), ("got", got)],
            ),
            PackError::OutOfRange {
                code,
                field,
                value,
                min,
                max,
            } => trf(
                "'{code}' field {field}: {value} does not fit in {min}..={max}",
                &[
                    ("code", code),
                    ("field", field),
                    ("value", value),
                    ("min", min),
                    ("max", max),
                ],
            ),
            PackError::WrongType {
                code,
                field,
                expected,
                got,
            } => trf(
                "'{code}' field {field} needs {expected}, got {got}",
                &[
                    ("code", code),
                    ("field", field),
                    ("expected", &translated_part(expected)),
                    ("got", got),
                ],
            ),
            PackError::CharLength { field, len } => trf(
                "'c' field {field} needs exactly 1 byte, got {len}",
                &[("field", field), ("len", len)],
            ),
            PackError::FloatTooLarge { field, value } => trf(
                "'f' field {field}: {value} is too large for a 4-byte float (at most about \
                 3.4e+38)",
                &[("field", field), ("value", value)],
            ),
            PackError::WrongLength { expected, got } => trf(
                "the format needs exactly {expected} bytes, but {got} were given",
                &[("expected", expected), ("got", got)],
            ),
            PackError::EmptyValue { item } => trf(
                "value {item} is empty; separate values with single commas",
                &[("item", item)],
            ),
            PackError::BadValue { item, text } => trf(
                "value {item} ({text}) is not a number, True, False or b'bytes'",
                &[("item", item), ("text", text)],
            ),
            PackError::IntTooLarge { item, text } => trf(
                "value {item} ({text}) is too large",
                &[("item", item), ("text", text)],
            ),
            PackError::UnclosedQuote { item } => trf(
                "value {item}: the closing quote is missing",
                &[("item", item)],
            ),
            PackError::NonAsciiBytes { item, ch } => trf(
                "value {item}: b'...' may contain only ASCII characters; write '{ch}' with \\x \
                 escapes",
                &[("item", item), ("ch", ch)],
            ),
            PackError::BadEscape { item, reason } => trf(
                "value {item}: {reason}",
                &[("item", item), ("reason", &translated_part(reason))],
            ),
            PackError::TrailingText { item, text } => trf(
                "value {item} is followed by {text}; separate values with commas",
                &[("item", item), ("text", text)],
            ),
        };
        f.write_str(&text)
    }
}

/// A fixed phrase stored in a [`PackError`] (what a field takes, what is
/// wrong with an escape), in the current language; any other text as it is.
fn translated_part(part: &'static str) -> &'static str {
    match part {
        "an integer" => tr("an integer"),
        "a number" => tr("a number"),
        "bytes, e.g. b'abc'" => tr("bytes, e.g. b'abc'"),
        "one byte, e.g. b'a'" => tr("one byte, e.g. b'a'"),
        "\\x needs two hex digits, e.g. \\x0a" => tr("\\x needs two hex digits, e.g. \\x0a"),
        "an octal escape must be at most \\377" => tr("an octal escape must be at most \\377"),
        other => other,
    }
}

/// The kind of a format character, or `None` if it is not one.
fn kind_of(code: char) -> Option<Kind> {
    Some(match code {
        'x' => Kind::Pad,
        'c' => Kind::Char,
        '?' => Kind::Bool,
        'b' | 'h' | 'i' | 'l' | 'q' | 'n' => Kind::Int { signed: true },
        'B' | 'H' | 'I' | 'L' | 'Q' | 'N' => Kind::Int { signed: false },
        'f' | 'd' => Kind::Float,
        's' => Kind::Bytes,
        _ => return None,
    })
}

/// (size, alignment) of one element of `code`, native or standard.
fn size_align(code: char, native: bool) -> Option<(usize, usize)> {
    use std::ffi::c_long;
    use std::mem::{align_of, size_of};
    let standard = |n: usize| (n, 1);
    Some(match (code, native) {
        ('x' | 'c' | '?' | 'b' | 'B' | 's', _) => (1, 1),
        ('h' | 'H', true) => (size_of::<i16>(), align_of::<i16>()),
        ('h' | 'H', false) => standard(2),
        ('i' | 'I', true) => (size_of::<i32>(), align_of::<i32>()),
        ('i' | 'I' | 'l' | 'L', false) => standard(4),
        ('l' | 'L', true) => (size_of::<c_long>(), align_of::<c_long>()),
        ('q' | 'Q', true) => (size_of::<i64>(), align_of::<i64>()),
        ('q' | 'Q', false) => standard(8),
        ('n' | 'N', true) => (size_of::<isize>(), align_of::<isize>()),
        ('f', true) => (size_of::<f32>(), align_of::<f32>()),
        ('f', false) => standard(4),
        ('d', true) => (size_of::<f64>(), align_of::<f64>()),
        ('d', false) => standard(8),
        _ => return None,
    })
}

/// The inclusive range of a `size`-byte integer (size at most 8).
fn int_range(size: usize, signed: bool) -> (i128, i128) {
    let bits = u32::try_from(size.min(8).saturating_mul(8)).unwrap_or(64);
    if bits == 0 {
        return (0, 0);
    }
    if signed {
        let half = 1i128 << (bits - 1);
        (-half, half - 1)
    } else {
        (0, (1i128 << bits) - 1)
    }
}

/// Parses a format such as `!HI10s`, `<ii` or `=bBhHiIqQfd`.
///
/// See the [module documentation](self) for the characters. Errors name
/// the offending character and its position.
pub fn parse_format(s: &str) -> Result<Format, PackError> {
    let mut chars = s.chars().enumerate().peekable();
    let (order, aligned, native) = match chars.peek().map(|&(_, c)| c) {
        Some('<') => (ByteOrder::Little, false, false),
        Some('>' | '!') => (ByteOrder::Big, false, false),
        Some('=') => (native_order(), false, false),
        _ => (native_order(), true, true),
    };
    if matches!(
        chars.peek().map(|&(_, c)| c),
        Some('<' | '>' | '!' | '=' | '@')
    ) {
        chars.next();
    }
    let mut items = Vec::new();
    let mut offset = 0usize;
    let mut value_count = 0usize;
    while let Some((position, ch)) = chars.next() {
        if ch.is_whitespace() {
            continue;
        }
        let (count, (position, code)) = match ch.to_digit(10) {
            Some(first) => {
                let mut count = usize::try_from(first).unwrap_or(0);
                loop {
                    match chars.next() {
                        Some((_, c)) if c.is_ascii_digit() => {
                            let d = usize::try_from(c.to_digit(10).unwrap_or(0)).unwrap_or(0);
                            // A count this large cannot fit the size limit.
                            count = count
                                .checked_mul(10)
                                .and_then(|n| n.checked_add(d))
                                .ok_or(PackError::FormatTooLarge)?;
                        }
                        Some((p, c)) if !c.is_whitespace() => break (count, (p, c)),
                        _ => return Err(PackError::CountWithoutChar { position }),
                    }
                }
            }
            None => (1, (position, ch)),
        };
        let Some(kind) = kind_of(code) else {
            return Err(match code {
                '<' | '>' | '!' | '=' | '@' => PackError::MisplacedPrefix { ch: code, position },
                'e' | 'p' | 'P' => PackError::Unsupported { ch: code, position },
                _ => PackError::BadChar { ch: code, position },
            });
        };
        let Some((size, align)) = size_align(code, native) else {
            return Err(PackError::NativeOnly { ch: code, position });
        };
        if aligned && align > 1 {
            offset = offset
                .checked_next_multiple_of(align)
                .ok_or(PackError::FormatTooLarge)?;
        }
        let total = count.checked_mul(size).ok_or(PackError::FormatTooLarge)?;
        items.push(Item {
            code,
            kind,
            count,
            size,
            offset,
        });
        offset = offset
            .checked_add(total)
            .filter(|&n| n <= MAX_FORMAT_BYTES)
            .ok_or(PackError::FormatTooLarge)?;
        value_count = value_count.saturating_add(match kind {
            Kind::Pad => 0,
            Kind::Bytes => 1,
            _ => count,
        });
    }
    Ok(Format {
        order,
        aligned,
        items,
        size: offset,
        value_count,
    })
}

/// The byte order of this machine.
fn native_order() -> ByteOrder {
    if NATIVE_LITTLE {
        ByteOrder::Little
    } else {
        ByteOrder::Big
    }
}

/// Writes the low `out.len()` bytes of `v` (two's complement) into `out`.
fn write_int(out: &mut [u8], v: i128, order: ByteOrder) {
    let le = v.to_le_bytes();
    for (dst, src) in out.iter_mut().zip(le.iter()) {
        *dst = *src;
    }
    if order == ByteOrder::Big {
        out.reverse();
    }
}

/// Reads a `bytes.len()`-byte integer (at most 8 bytes).
fn read_int(bytes: &[u8], signed: bool, order: ByteOrder) -> i128 {
    let fold = |acc: u128, &b: &u8| (acc << 8) | u128::from(b);
    let raw = match order {
        ByteOrder::Big => bytes.iter().take(8).fold(0, fold),
        ByteOrder::Little => bytes.iter().take(8).rev().fold(0, fold),
    };
    let bits = bytes.len().min(8).saturating_mul(8);
    let value = i128::try_from(raw).unwrap_or(0);
    if signed && bits > 0 && (raw >> (bits - 1)) & 1 == 1 {
        value - (1i128 << bits)
    } else {
        value
    }
}

/// Packs `values`, one per field, into a record of `format.size()` bytes
/// (Python's `struct.pack`).
///
/// Integers must fit their field; `f` and `d` take integers or floats; `s`
/// takes bytes, padded with zero bytes or truncated to its count; `c` takes
/// exactly one byte; `?` takes anything, stored as 1 if it is non-zero or
/// non-empty. Bools count as the integers 0 and 1, as in Python.
pub fn pack(format: &Format, values: &[Value]) -> Result<Vec<u8>, PackError> {
    if values.len() != format.value_count {
        return Err(PackError::CountMismatch {
            expected: format.value_count,
            got: values.len(),
        });
    }
    let mut out = vec![0u8; format.size];
    for (field, value) in format.fields().zip(values) {
        let number = field.index.saturating_add(1);
        let end = field.offset.saturating_add(field.size);
        let Some(slot) = out.get_mut(field.offset..end) else {
            continue;
        };
        let wrong_type = |expected| PackError::WrongType {
            code: field.code,
            field: number,
            expected,
            got: value.to_string(),
        };
        match kind_of(field.code) {
            Some(Kind::Int { signed }) => {
                let v = match value {
                    Value::Int(v) => *v,
                    Value::Bool(b) => i128::from(*b),
                    _ => return Err(wrong_type("an integer")),
                };
                let (min, max) = int_range(field.size, signed);
                if !(min..=max).contains(&v) {
                    return Err(PackError::OutOfRange {
                        code: field.code,
                        field: number,
                        value: v,
                        min,
                        max,
                    });
                }
                write_int(slot, v, format.order);
            }
            Some(Kind::Float) => {
                let v = match value {
                    Value::Float(v) => *v,
                    // i128 to f64 rounds to nearest; it cannot overflow.
                    Value::Int(v) => *v as f64,
                    Value::Bool(b) => f64::from(u8::from(*b)),
                    Value::Bytes(_) => return Err(wrong_type("a number")),
                };
                if field.size == 4 {
                    let narrow = v as f32;
                    if narrow.is_infinite() && v.is_finite() {
                        return Err(PackError::FloatTooLarge {
                            field: number,
                            value: value.to_string(),
                        });
                    }
                    let bits = narrow.to_bits();
                    slot.copy_from_slice(&match format.order {
                        ByteOrder::Little => bits.to_le_bytes(),
                        ByteOrder::Big => bits.to_be_bytes(),
                    });
                } else {
                    let bits = v.to_bits();
                    slot.copy_from_slice(&match format.order {
                        ByteOrder::Little => bits.to_le_bytes(),
                        ByteOrder::Big => bits.to_be_bytes(),
                    });
                }
            }
            Some(Kind::Bytes) => {
                let Value::Bytes(b) = value else {
                    return Err(wrong_type("bytes, e.g. b'abc'"));
                };
                for (dst, src) in slot.iter_mut().zip(b) {
                    *dst = *src;
                }
            }
            Some(Kind::Char) => {
                let Value::Bytes(b) = value else {
                    return Err(wrong_type("one byte, e.g. b'a'"));
                };
                let [byte] = b.as_slice() else {
                    return Err(PackError::CharLength {
                        field: number,
                        len: b.len(),
                    });
                };
                slot.fill(*byte);
            }
            Some(Kind::Bool) => {
                let truthy = match value {
                    Value::Int(v) => *v != 0,
                    Value::Float(v) => *v != 0.0,
                    Value::Bytes(b) => !b.is_empty(),
                    Value::Bool(b) => *b,
                };
                slot.fill(u8::from(truthy));
            }
            Some(Kind::Pad) | None => {}
        }
    }
    Ok(out)
}

/// Unpacks a record of exactly `format.size()` bytes into one value per
/// field (Python's `struct.unpack`).
///
/// Integers give [`Value::Int`], `f` and `d` [`Value::Float`], `s` and `c`
/// [`Value::Bytes`] (of the full count; zero padding is kept), `?`
/// [`Value::Bool`] (any non-zero byte is true).
pub fn unpack(format: &Format, bytes: &[u8]) -> Result<Vec<Value>, PackError> {
    if bytes.len() != format.size {
        return Err(PackError::WrongLength {
            expected: format.size,
            got: bytes.len(),
        });
    }
    let mut out = Vec::with_capacity(format.value_count);
    for field in format.fields() {
        let end = field.offset.saturating_add(field.size);
        let slot = bytes.get(field.offset..end).unwrap_or_default();
        let value = match kind_of(field.code) {
            Some(Kind::Int { signed }) => Value::Int(read_int(slot, signed, format.order)),
            Some(Kind::Float) => {
                let bits = read_int(slot, false, format.order);
                if field.size == 4 {
                    Value::Float(f64::from(f32::from_bits(u32::try_from(bits).unwrap_or(0))))
                } else {
                    Value::Float(f64::from_bits(u64::try_from(bits).unwrap_or(0)))
                }
            }
            Some(Kind::Bool) => Value::Bool(slot.iter().any(|&b| b != 0)),
            Some(Kind::Bytes | Kind::Char | Kind::Pad) | None => Value::Bytes(slot.to_vec()),
        };
        out.push(value);
    }
    Ok(out)
}

/// Writes `v` as Python's `repr(float)` does: `3.5`, `1.0`, `1e+16`,
/// `1e-05`, `inf`, `nan`.
fn fmt_float(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    if v.is_nan() {
        return f.write_str("nan");
    }
    if v.is_sign_negative() {
        f.write_str("-")?;
    }
    let a = v.abs();
    if a.is_infinite() {
        return f.write_str("inf");
    }
    if a == 0.0 {
        return f.write_str("0.0");
    }
    // Shortest round-trip digits, as Python uses: "d.ddddde[-]x".
    let sci = format!("{a:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let n = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    // Position of the decimal point relative to the digits.
    let decpt = exp.saturating_add(1);
    if (-3..=16).contains(&decpt) {
        if decpt <= 0 {
            f.write_str("0.")?;
            for _ in 0..decpt.unsigned_abs() {
                f.write_str("0")?;
            }
            f.write_str(&digits)
        } else if decpt >= n {
            f.write_str(&digits)?;
            for _ in 0..decpt.saturating_sub(n) {
                f.write_str("0")?;
            }
            f.write_str(".0")
        } else {
            let split = usize::try_from(decpt).unwrap_or(0);
            let (int, frac) = digits.split_at_checked(split).unwrap_or((&digits, ""));
            write!(f, "{int}.{frac}")
        }
    } else {
        let (first, rest) = digits.split_at_checked(1).unwrap_or((&digits, ""));
        f.write_str(first)?;
        if !rest.is_empty() {
            write!(f, ".{rest}")?;
        }
        let sign = if exp < 0 { '-' } else { '+' };
        write!(f, "e{sign}{:02}", exp.unsigned_abs())
    }
}

/// Writes `bytes` as Python's `repr(bytes)` does: `b'abc\x00'`.
fn fmt_bytes(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    write!(f, "b{quote}")?;
    for &b in bytes {
        match b {
            b'\\' => f.write_str("\\\\")?,
            b'\t' => f.write_str("\\t")?,
            b'\n' => f.write_str("\\n")?,
            b'\r' => f.write_str("\\r")?,
            _ if char::from(b) == quote => write!(f, "\\{quote}")?,
            0x20..=0x7E => write!(f, "{}", char::from(b))?,
            _ => write!(f, "\\x{b:02x}")?,
        }
    }
    write!(f, "{quote}")
}

impl fmt::Display for Value {
    /// Python's `repr`: `1`, `3.5`, `b'abc\x00'`, `True`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Float(v) => fmt_float(f, *v),
            Value::Bytes(b) => fmt_bytes(f, b),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
        }
    }
}

/// A cursor over the value list being parsed.
struct ValueParser<'a> {
    /// The whole input.
    s: &'a str,
    /// Byte index of the next unread character.
    at: usize,
}

impl ValueParser<'_> {
    /// The next character, without consuming it.
    fn peek(&self) -> Option<char> {
        self.s.get(self.at..).and_then(|r| r.chars().next())
    }

    /// The character after the next one.
    fn peek2(&self) -> Option<char> {
        self.s.get(self.at..).and_then(|r| r.chars().nth(1))
    }

    /// Consumes and returns the next character.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at = self.at.saturating_add(c.len_utf8());
        Some(c)
    }

    /// Skips whitespace.
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// Parses a quoted literal whose opening quote is next. `bytes_only`:
    /// a `b'...'` literal, ASCII only; otherwise text, stored as UTF-8.
    fn quoted(&mut self, item: usize, bytes_only: bool) -> Result<Vec<u8>, PackError> {
        let quote = self.bump().unwrap_or('\'');
        let mut out = Vec::new();
        loop {
            let c = self.bump().ok_or(PackError::UnclosedQuote { item })?;
            if c == quote {
                return Ok(out);
            }
            if c != '\\' {
                if bytes_only && !c.is_ascii() {
                    return Err(PackError::NonAsciiBytes { item, ch: c });
                }
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                continue;
            }
            let e = self.bump().ok_or(PackError::UnclosedQuote { item })?;
            match e {
                '\\' | '\'' | '"' => out.push(e as u8),
                'n' => out.push(b'\n'),
                'r' => out.push(b'\r'),
                't' => out.push(b'\t'),
                'a' => out.push(0x07),
                'b' => out.push(0x08),
                'f' => out.push(0x0C),
                'v' => out.push(0x0B),
                '\n' => {}
                'x' => {
                    let hi = self.bump().and_then(|c| c.to_digit(16));
                    let lo = self.bump().and_then(|c| c.to_digit(16));
                    let (Some(hi), Some(lo)) = (hi, lo) else {
                        return Err(PackError::BadEscape {
                            item,
                            reason: "\\x needs two hex digits, e.g. \\x0a",
                        });
                    };
                    out.push(u8::try_from(hi * 16 + lo).unwrap_or(0));
                }
                '0'..='7' => {
                    let mut v = e.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match self.peek().and_then(|c| c.to_digit(8)) {
                            Some(d) => {
                                self.bump();
                                v = v * 8 + d;
                            }
                            None => break,
                        }
                    }
                    out.push(u8::try_from(v).map_err(|_| PackError::BadEscape {
                        item,
                        reason: "an octal escape must be at most \\377",
                    })?);
                }
                _ => {
                    // Python keeps unknown escapes as they are.
                    if bytes_only && !e.is_ascii() {
                        return Err(PackError::NonAsciiBytes { item, ch: e });
                    }
                    out.push(b'\\');
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(e.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
    }

    /// Parses one value at the cursor (whitespace already skipped).
    fn value(&mut self, item: usize) -> Result<Value, PackError> {
        match (self.peek(), self.peek2()) {
            (Some('b' | 'B'), Some('\'' | '"')) => {
                self.bump();
                return self.quoted(item, true).map(Value::Bytes);
            }
            (Some('\'' | '"'), _) => return self.quoted(item, false).map(Value::Bytes),
            _ => {}
        }
        let rest = self.s.get(self.at..).unwrap_or_default();
        let len = rest.find(',').unwrap_or(rest.len());
        let text = rest.get(..len).unwrap_or_default().trim_end();
        self.at = self.at.saturating_add(text.len());
        if text.is_empty() {
            return Err(PackError::EmptyValue { item });
        }
        match text {
            "True" | "true" => return Ok(Value::Bool(true)),
            "False" | "false" => return Ok(Value::Bool(false)),
            _ => {}
        }
        if let Some(int) = parse_int(text) {
            return int.map(Value::Int).ok_or_else(|| PackError::IntTooLarge {
                item,
                text: text.to_owned(),
            });
        }
        text.parse::<f64>()
            .map(Value::Float)
            .map_err(|_| PackError::BadValue {
                item,
                text: text.to_owned(),
            })
    }
}

/// Parses an integer literal: optional sign, then decimal digits or
/// `0x`/`0o`/`0b` and digits. `None` if `text` is not integer-shaped;
/// `Some(None)` if it is but does not fit an `i128`.
fn parse_int(text: &str) -> Option<Option<i128>> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let lower = body.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, body.get(2..)?),
        Some("0o") => (8, body.get(2..)?),
        Some("0b") => (2, body.get(2..)?),
        _ => (10, body),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok();
    Some(magnitude.and_then(|m| {
        if negative {
            0i128.checked_sub_unsigned(m)
        } else {
            i128::try_from(m).ok()
        }
    }))
}

/// Parses values typed by a user, one per field, separated by commas:
/// `1, 2, b'abc', 3.5, True`.
///
/// Accepted: integers (`-5`, `0x1F`, `0o17`, `0b101`), floats (`3.5`,
/// `-1e3`, `inf`, `nan`), `True`/`False`, bytes literals `b'...'` or
/// `b"..."` with Python's escapes (`\x00`, `\n`, `\t`, `\\`, `\'`, octal
/// `\0`…), and, for convenience, plain quoted text `'abc'` or `"abc"`, taken
/// as its UTF-8 bytes. A trailing comma is allowed; empty input gives no
/// values.
pub fn parse_values(s: &str) -> Result<Vec<Value>, PackError> {
    let mut p = ValueParser { s, at: 0 };
    let mut out = Vec::new();
    p.skip_ws();
    if p.peek().is_none() {
        return Ok(out);
    }
    loop {
        let item = out.len().saturating_add(1);
        p.skip_ws();
        out.push(p.value(item)?);
        p.skip_ws();
        match p.bump() {
            None => return Ok(out),
            Some(',') => {
                p.skip_ws();
                if p.peek().is_none() {
                    return Ok(out);
                }
            }
            Some(c) => {
                let rest = p.s.get(p.at..).unwrap_or_default();
                let len = rest.find(',').unwrap_or(rest.len());
                let tail = rest.get(..len).unwrap_or_default().trim_end();
                return Err(PackError::TrailingText {
                    item,
                    text: format!("{c}{tail}"),
                });
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "pack_tests.rs"]
mod tests;
