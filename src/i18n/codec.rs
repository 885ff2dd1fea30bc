//! Chinese for the errors of the byte codecs (hex, escapes, encodings,
//! framing, `struct` formats).

/// English → 简体中文.
pub(super) const ZH: &[(&str, &str)] = &[
    // Hex.
    (
        "'{ch}' at character {pos} is not a hex digit",
        "第 {pos} 个字符 '{ch}' 不是十六进制数字",
    ),
    (
        "odd number of hex digits ({count}): the digit at character {pos} has no partner; write each byte as two digits, e.g. 0A",
        "十六进制数字个数为奇数（{count} 个）：第 {pos} 个字符处的数字没有配对；每个字节请写成两位，例如 0A",
    ),
    // Escapes.
    (
        "unknown escape {escape} at character {pos}; use \\\\ for a backslash",
        "第 {pos} 个字符处的转义 {escape} 无法识别；反斜杠本身请写成 \\\\",
    ),
    ("'\\' followed by U+{code}", "'\\' 后接 U+{code}"),
    (
        "\\x at character {pos} needs two hex digits, e.g. \\x0A",
        "第 {pos} 个字符处的 \\x 后面需要两位十六进制数字，例如 \\x0A",
    ),
    (
        "the backslash at character {pos} ends the text; use \\\\ for a backslash",
        "第 {pos} 个字符处的反斜杠位于文本末尾；反斜杠本身请写成 \\\\",
    ),
    // Encodings.
    (
        "'{ch}' (U+{code}) at character {pos} cannot be represented in {encoding}",
        "第 {pos} 个字符 '{ch}'（U+{code}）无法用 {encoding} 编码表示",
    ),
    // Framing.
    (
        "the delimiter is empty; enter at least one byte, e.g. \\n",
        "分隔符为空；请至少输入一个字节，例如 \\n",
    ),
    (
        "the fixed message size is 0; it must be at least 1 byte",
        "定长消息的长度为 0；至少应为 1 字节",
    ),
    (
        "the fixed message size of {size} bytes is over the limit of {limit} bytes",
        "定长消息的长度 {size} 字节超过了上限 {limit} 字节",
    ),
    (
        "length header at byte {offset} says {length} bytes, over the limit of {limit} bytes; the peer may be using a different header size or byte order",
        "字节偏移 {offset} 处的报头表示 {length} 字节，超过了上限 {limit} 字节；对端使用的报头大小或字节序可能与此不同",
    ),
    (
        "length header at byte {offset} says {length} bytes, but the length includes the {header}-byte header, so it must be at least {header}",
        "字节偏移 {offset} 处的报头表示 {length} 字节，但该长度包含 {header} 字节的报头本身，因此至少应为 {header}",
    ),
    (
        "no delimiter found in {limit} bytes starting at byte {offset}; the message is too long or the delimiter is wrong",
        "从字节偏移 {offset} 起的 {limit} 字节内没有找到分隔符；消息过长，或分隔符不对",
    ),
    (
        "a {len}-byte payload is too long for a {width}-byte length header (at most {max} bytes)",
        "{len} 字节的数据超出了 {width} 字节报头能表示的长度（最多 {max} 字节）",
    ),
    (
        "the payload is {len} bytes, but fixed-size messages must be exactly {size} bytes",
        "数据为 {len} 字节，但定长消息必须正好是 {size} 字节",
    ),
    // struct formats and values.
    (
        "'{ch}' at character {pos} is not a format character; use x c b B ? h H i I l L q Q n N f d s",
        "第 {pos} 个字符 '{ch}' 不是格式字符；可用 x c b B ? h H i I l L q Q n N f d s",
    ),
    (
        "'{ch}' at character {pos} is not supported here; use x c b B ? h H i I l L q Q n N f d s",
        "第 {pos} 个字符 '{ch}' 在这里不受支持；可用 x c b B ? h H i I l L q Q n N f d s",
    ),
    (
        "'{ch}' at character {pos} exists only in native mode (no prefix or '@')",
        "第 {pos} 个字符 '{ch}' 只能用于原生模式（无前缀或前缀为 '@'）",
    ),
    (
        "'{ch}' at character {pos} must be the first character of the format",
        "第 {pos} 个字符 '{ch}' 必须是格式的第一个字符",
    ),
    (
        "the count at character {pos} must be followed directly by a format character",
        "第 {pos} 个字符处的重复次数后面必须紧跟格式字符",
    ),
    (
        "the format describes more than {limit} bytes",
        "格式描述的数据超过 {limit} 字节",
    ),
    (
        "the format needs {expected} values, but {got} were given",
        "格式需要 {expected} 个数值，但给出了 {got} 个",
    ),
    (
        "'{code}' field {field}: {value} does not fit in {min}..={max}",
        "第 {field} 个字段（'{code}'）：{value} 超出范围 {min}..={max}",
    ),
    (
        "'{code}' field {field} needs {expected}, got {got}",
        "第 {field} 个字段（'{code}'）需要{expected}，实际是 {got}",
    ),
    ("an integer", "整数"),
    ("a number", "数字"),
    ("bytes, e.g. b'abc'", "字节串（如 b'abc'）"),
    ("one byte, e.g. b'a'", "单个字节（如 b'a'）"),
    (
        "'c' field {field} needs exactly 1 byte, got {len}",
        "第 {field} 个字段（'c'）需要正好 1 个字节，实际是 {len} 个",
    ),
    (
        "'f' field {field}: {value} is too large for a 4-byte float (at most about 3.4e+38)",
        "第 {field} 个字段（'f'）：{value} 超出 4 字节浮点数的范围（最大约 3.4e+38）",
    ),
    (
        "the format needs exactly {expected} bytes, but {got} were given",
        "格式需要正好 {expected} 字节，但给出了 {got} 字节",
    ),
    (
        "value {item} is empty; separate values with single commas",
        "第 {item} 个数值为空；数值之间请只用一个逗号分隔",
    ),
    (
        "value {item} ({text}) is not a number, True, False or b'bytes'",
        "第 {item} 个数值（{text}）不是数字、True、False 或 b'bytes'",
    ),
    (
        "value {item} ({text}) is too large",
        "第 {item} 个数值（{text}）太大",
    ),
    (
        "value {item}: the closing quote is missing",
        "第 {item} 个数值：缺少结尾的引号",
    ),
    (
        "value {item}: b'...' may contain only ASCII characters; write '{ch}' with \\x escapes",
        "第 {item} 个数值：b'...' 只能包含 ASCII 字符；'{ch}' 请用 \\x 转义写出",
    ),
    ("value {item}: {reason}", "第 {item} 个数值：{reason}"),
    (
        "\\x needs two hex digits, e.g. \\x0a",
        "\\x 后面需要两位十六进制数字，例如 \\x0a",
    ),
    (
        "an octal escape must be at most \\377",
        "八进制转义最大为 \\377",
    ),
    (
        "value {item} is followed by {text}; separate values with commas",
        "第 {item} 个数值后面多了 {text}；数值之间请用逗号分隔",
    ),
];

#[cfg(test)]
mod tests {
    use crate::codec::framing::FrameError;
    use crate::codec::pack::PackError;
    use crate::codec::{ComposeError, EncodeError, EscapeError, HexError, TextEncoding};
    use crate::i18n::{Lang, set_lang};

    /// One error of every kind, with awkward values where formatting matters.
    fn samples() -> Vec<Box<dyn std::fmt::Display>> {
        vec![
            Box::new(HexError::InvalidChar {
                ch: 'G',
                position: 4,
            }),
            Box::new(HexError::InvalidChar {
                ch: '\n',
                position: 0,
            }),
            Box::new(HexError::InvalidChar {
                ch: '\'',
                position: 2,
            }),
            Box::new(HexError::InvalidChar {
                ch: '中',
                position: 6,
            }),
            Box::new(HexError::OddDigits {
                count: 5,
                position: 4,
            }),
            Box::new(EscapeError::UnknownEscape {
                ch: 'q',
                position: 4,
            }),
            Box::new(EscapeError::UnknownEscape {
                ch: '\n',
                position: 1,
            }),
            Box::new(EscapeError::UnknownEscape {
                ch: '\u{3000}',
                position: 0,
            }),
            Box::new(EscapeError::UnknownEscape {
                ch: '{',
                position: 0,
            }),
            Box::new(EscapeError::BadHexEscape { position: 4 }),
            Box::new(EscapeError::TrailingBackslash { position: 1 }),
            Box::new(EncodeError::Unmappable {
                ch: '中',
                char_index: 2,
                encoding: TextEncoding::Latin1,
            }),
            Box::new(EncodeError::Unmappable {
                ch: '😀',
                char_index: 0,
                encoding: TextEncoding::Gbk,
            }),
            Box::new(ComposeError::Hex(HexError::OddDigits {
                count: 1,
                position: 0,
            })),
            Box::new(ComposeError::Escape(EscapeError::BadHexEscape {
                position: 0,
            })),
            Box::new(ComposeError::Encode(EncodeError::Unmappable {
                ch: 'é',
                char_index: 9,
                encoding: TextEncoding::ShiftJis,
            })),
            Box::new(FrameError::EmptyDelimiter),
            Box::new(FrameError::ZeroFixedSize),
            Box::new(FrameError::FixedSizeTooLarge {
                size: 100,
                limit: 10,
            }),
            Box::new(FrameError::LengthTooLarge {
                offset: 7,
                length: 1 << 40,
                limit: 65536,
            }),
            Box::new(FrameError::LengthShorterThanHeader {
                offset: 0,
                length: 1,
                header: 4,
            }),
            Box::new(FrameError::DelimiterNotFound {
                offset: 12,
                limit: 1024,
            }),
            Box::new(FrameError::PayloadTooLong {
                len: 300,
                width: 1,
                max: 255,
            }),
            Box::new(FrameError::WrongFixedSize { len: 3, size: 8 }),
            Box::new(PackError::BadChar {
                ch: 'z',
                position: 3,
            }),
            Box::new(PackError::BadChar {
                ch: '\t',
                position: 0,
            }),
            Box::new(PackError::Unsupported {
                ch: 'e',
                position: 1,
            }),
            Box::new(PackError::NativeOnly {
                ch: 'n',
                position: 2,
            }),
            Box::new(PackError::MisplacedPrefix {
                ch: '!',
                position: 3,
            }),
            Box::new(PackError::CountWithoutChar { position: 0 }),
            Box::new(PackError::FormatTooLarge),
            Box::new(PackError::CountMismatch {
                expected: 3,
                got: 2,
            }),
            Box::new(PackError::OutOfRange {
                code: 'B',
                field: 1,
                value: 256,
                min: 0,
                max: 255,
            }),
            Box::new(PackError::OutOfRange {
                code: 'q',
                field: 2,
                value: -1 << 70,
                min: -(1 << 63),
                max: (1 << 63) - 1,
            }),
            Box::new(PackError::WrongType {
                code: 'i',
                field: 1,
                expected: "an integer",
                got: "b'ab'".into(),
            }),
            Box::new(PackError::WrongType {
                code: 'f',
                field: 2,
                expected: "a number",
                got: "b''".into(),
            }),
            Box::new(PackError::WrongType {
                code: 's',
                field: 3,
                expected: "bytes, e.g. b'abc'",
                got: "1.5".into(),
            }),
            Box::new(PackError::WrongType {
                code: 'c',
                field: 4,
                expected: "one byte, e.g. b'a'",
                got: "True".into(),
            }),
            Box::new(PackError::WrongType {
                code: 'c',
                field: 4,
                expected: "something else",
                got: "{got}".into(),
            }),
            Box::new(PackError::CharLength { field: 1, len: 2 }),
            Box::new(PackError::FloatTooLarge {
                field: 1,
                value: "1e+39".into(),
            }),
            Box::new(PackError::WrongLength {
                expected: 8,
                got: 7,
            }),
            Box::new(PackError::EmptyValue { item: 2 }),
            Box::new(PackError::BadValue {
                item: 1,
                text: "abc {item}".into(),
            }),
            Box::new(PackError::IntTooLarge {
                item: 3,
                text: "9".repeat(50),
            }),
            Box::new(PackError::UnclosedQuote { item: 1 }),
            Box::new(PackError::NonAsciiBytes { item: 1, ch: 'é' }),
            Box::new(PackError::BadEscape {
                item: 1,
                reason: "\\x needs two hex digits, e.g. \\x0a",
            }),
            Box::new(PackError::BadEscape {
                item: 2,
                reason: "an octal escape must be at most \\377",
            }),
            Box::new(PackError::TrailingText {
                item: 1,
                text: "'x' {item}".into(),
            }),
        ]
    }

    /// What [`samples`] show in English.
    const ENGLISH: &[&str] = &[
        "'G' at character 5 is not a hex digit",
        "'\\n' at character 1 is not a hex digit",
        "'\\'' at character 3 is not a hex digit",
        "'中' at character 7 is not a hex digit",
        "odd number of hex digits (5): the digit at character 5 has no partner; write each byte as two digits, e.g. 0A",
        "unknown escape '\\q' at character 5; use \\\\ for a backslash",
        "unknown escape '\\' followed by U+000A at character 2; use \\\\ for a backslash",
        "unknown escape '\\' followed by U+3000 at character 1; use \\\\ for a backslash",
        "unknown escape '\\{' at character 1; use \\\\ for a backslash",
        "\\x at character 5 needs two hex digits, e.g. \\x0A",
        "the backslash at character 2 ends the text; use \\\\ for a backslash",
        "'中' (U+4E2D) at character 3 cannot be represented in ISO-8859-1",
        "'😀' (U+1F600) at character 1 cannot be represented in GBK",
        "odd number of hex digits (1): the digit at character 1 has no partner; write each byte as two digits, e.g. 0A",
        "\\x at character 1 needs two hex digits, e.g. \\x0A",
        "'é' (U+00E9) at character 10 cannot be represented in Shift_JIS",
        "the delimiter is empty; enter at least one byte, e.g. \\n",
        "the fixed message size is 0; it must be at least 1 byte",
        "the fixed message size of 100 bytes is over the limit of 10 bytes",
        "length header at byte 7 says 1099511627776 bytes, over the limit of 65536 bytes; the peer may be using a different header size or byte order",
        "length header at byte 0 says 1 bytes, but the length includes the 4-byte header, so it must be at least 4",
        "no delimiter found in 1024 bytes starting at byte 12; the message is too long or the delimiter is wrong",
        "a 300-byte payload is too long for a 1-byte length header (at most 255 bytes)",
        "the payload is 3 bytes, but fixed-size messages must be exactly 8 bytes",
        "'z' at character 4 is not a format character; use x c b B ? h H i I l L q Q n N f d s",
        "'\\t' at character 1 is not a format character; use x c b B ? h H i I l L q Q n N f d s",
        "'e' at character 2 is not supported here; use x c b B ? h H i I l L q Q n N f d s",
        "'n' at character 3 exists only in native mode (no prefix or '@')",
        "'!' at character 4 must be the first character of the format",
        "the count at character 1 must be followed directly by a format character",
        "the format describes more than 16777216 bytes",
        "the format needs 3 values, but 2 were given",
        "'B' field 1: 256 does not fit in 0..=255",
        "'q' field 2: -1180591620717411303424 does not fit in -9223372036854775808..=9223372036854775807",
        "'i' field 1 needs an integer, got b'ab'",
        "'f' field 2 needs a number, got b''",
        "'s' field 3 needs bytes, e.g. b'abc', got 1.5",
        "'c' field 4 needs one byte, e.g. b'a', got True",
        "'c' field 4 needs something else, got {got}",
        "'c' field 1 needs exactly 1 byte, got 2",
        "'f' field 1: 1e+39 is too large for a 4-byte float (at most about 3.4e+38)",
        "the format needs exactly 8 bytes, but 7 were given",
        "value 2 is empty; separate values with single commas",
        "value 1 (abc {item}) is not a number, True, False or b'bytes'",
        "value 3 (99999999999999999999999999999999999999999999999999) is too large",
        "value 1: the closing quote is missing",
        "value 1: b'...' may contain only ASCII characters; write 'é' with \\x escapes",
        "value 1: \\x needs two hex digits, e.g. \\x0a",
        "value 2: an octal escape must be at most \\377",
        "value 1 is followed by 'x' {item}; separate values with commas",
    ];

    #[test]
    fn english_is_unchanged() {
        set_lang(Lang::En);
        let shown: Vec<String> = samples().iter().map(ToString::to_string).collect();
        assert_eq!(shown, ENGLISH);
    }

    #[test]
    fn every_error_has_chinese() {
        set_lang(Lang::Zh);
        let shown: Vec<String> = samples().iter().map(ToString::to_string).collect();
        set_lang(Lang::En);
        for (zh, en) in shown.iter().zip(ENGLISH) {
            assert_ne!(zh, en);
            assert!(
                zh.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)),
                "{zh}"
            );
        }
        assert_eq!(shown[0], "第 5 个字符 'G' 不是十六进制数字");
        assert_eq!(
            shown[6],
            "第 2 个字符处的转义 '\\' 后接 U+000A 无法识别；反斜杠本身请写成 \\\\"
        );
        assert_eq!(
            shown[11],
            "第 3 个字符 '中'（U+4E2D）无法用 ISO-8859-1 编码表示"
        );
        assert_eq!(shown[34], "第 1 个字段（'i'）需要整数，实际是 b'ab'");
        assert_eq!(
            shown[38],
            "第 4 个字段（'c'）需要something else，实际是 {got}"
        );
        assert_eq!(
            shown[43],
            "第 1 个数值（abc {item}）不是数字、True、False 或 b'bytes'"
        );
        assert_eq!(
            shown[47],
            "第 1 个数值：\\x 后面需要两位十六进制数字，例如 \\x0a"
        );
    }

    #[test]
    fn compose_errors_show_the_wrapped_error() {
        set_lang(Lang::Zh);
        let pairs = [
            (
                ComposeError::Hex(HexError::OddDigits {
                    count: 1,
                    position: 0,
                })
                .to_string(),
                HexError::OddDigits {
                    count: 1,
                    position: 0,
                }
                .to_string(),
            ),
            (
                ComposeError::Escape(EscapeError::TrailingBackslash { position: 3 }).to_string(),
                EscapeError::TrailingBackslash { position: 3 }.to_string(),
            ),
            (
                ComposeError::Encode(EncodeError::Unmappable {
                    ch: '中',
                    char_index: 0,
                    encoding: TextEncoding::Latin1,
                })
                .to_string(),
                EncodeError::Unmappable {
                    ch: '中',
                    char_index: 0,
                    encoding: TextEncoding::Latin1,
                }
                .to_string(),
            ),
        ];
        set_lang(Lang::En);
        for (outer, inner) in pairs {
            assert_eq!(outer, inner);
        }
    }
}
