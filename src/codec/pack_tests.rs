//! Tests of `pack.rs`.

use super::*;
use proptest::prelude::*;

fn hex(s: &str) -> Vec<u8> {
    crate::codec::parse_hex(s).unwrap()
}

fn pack_str(format: &str, values: &str) -> Result<Vec<u8>, PackError> {
    pack(&parse_format(format)?, &parse_values(values)?)
}

fn show(values: &[Value]) -> String {
    values
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Vectors from CPython 3.11 on x86_64 Linux:
/// `struct.pack(fmt, *values).hex()`.
const VECTORS: &[(&str, &str, &str)] = &[
    ("!HI10s", "1, 2, b'abc'", "00010000000261626300000000000000"),
    ("!I", "5", "00000005"),
    ("<i", "5", "05000000"),
    ("i", "-2", "feffffff"),
    ("<ii", "1, -1", "01000000ffffffff"),
    (
        "=bBhHiIqQfd",
        "-1, 255, -300, 65535, -70000, 4294967295, -1, 18446744073709551615, 3.5, -0.1",
        "ffffd4feffff90eefeffffffffffffffffffffffffffffffffffffffffff000060409a9999999999b9bf",
    ),
    (
        ">hHiIqQ",
        "-2, 2, -3, 3, -4, 4",
        "fffe0002fffffffd00000003fffffffffffffffc0000000000000004",
    ),
    (
        "<qQ",
        "-9223372036854775808, 0",
        "00000000000000800000000000000000",
    ),
    ("@bi", "1, 2", "0100000002000000"),
    ("=bi", "1, 2", "0102000000"),
    ("@bq", "1, 2", "01000000000000000200000000000000"),
    ("@hd", "7, 1.5", "0700000000000000000000000000f83f"),
    ("@bi0q", "1, 2", "0100000002000000"),
    ("xcx?", "b'z', 2", "007a0001"),
    ("3s", "b'abcdef'", "616263"),
    ("0s", "b'abc'", ""),
    ("3i", "1, 2, 3", "010000000200000003000000"),
    ("!2H3x?", "1, 2, True", "0001000200000001"),
    ("!f", "1e38", "7e967699"),
    ("!f", "0.1", "3dcccccd"),
    ("<d", "inf", "000000000000f07f"),
    ("!l", "-1", "ffffffff"),
    ("< i 2s", "1, b'ab'", "010000006162"),
    ("<4?", "2.5, 0, b'', b'a'", "01000001"),
];

#[test]
fn python_vectors() {
    for &(format, values, expected) in VECTORS {
        let got = pack_str(format, values).unwrap();
        assert_eq!(got, hex(expected), "{format} {values}");
        let f = parse_format(format).unwrap();
        assert_eq!(f.size(), got.len(), "{format}");
        // Unpacking gives values that pack to the same bytes.
        let back = unpack(&f, &got).unwrap();
        assert_eq!(pack(&f, &back).unwrap(), got, "{format}");
    }
}

#[test]
fn python_vectors_unpack() {
    let f = parse_format("!HI10s").unwrap();
    let v = unpack(&f, &hex("00010000000261626300000000000000")).unwrap();
    assert_eq!(show(&v), r"1, 2, b'abc\x00\x00\x00\x00\x00\x00\x00'");
    let f = parse_format("=bBhHiIqQfd").unwrap();
    let v = unpack(
        &f,
        &hex(VECTORS.iter().find(|v| v.0 == "=bBhHiIqQfd").unwrap().2),
    )
    .unwrap();
    assert_eq!(
        show(&v),
        "-1, 255, -300, 65535, -70000, 4294967295, -1, 18446744073709551615, 3.5, -0.1"
    );
    let f = parse_format("!f").unwrap();
    assert_eq!(
        show(&unpack(&f, &hex("3dcccccd")).unwrap()),
        "0.10000000149011612"
    );
    let f = parse_format("xcx?").unwrap();
    assert_eq!(show(&unpack(&f, &hex("007a0002")).unwrap()), "b'z', True");
}

#[test]
fn every_char_size() {
    let standard = [
        ('x', 1),
        ('c', 1),
        ('b', 1),
        ('B', 1),
        ('?', 1),
        ('h', 2),
        ('H', 2),
        ('i', 4),
        ('I', 4),
        ('l', 4),
        ('L', 4),
        ('q', 8),
        ('Q', 8),
        ('f', 4),
        ('d', 8),
        ('s', 1),
    ];
    for prefix in ["<", ">", "!", "="] {
        for (c, size) in standard {
            let f = parse_format(&format!("{prefix}{c}")).unwrap();
            assert_eq!(f.size(), size, "{prefix}{c}");
            assert_eq!(f.value_count(), usize::from(c != 'x'));
        }
    }
    // Native sizes on the 64-bit Linux/macOS machines Sockbench targets.
    #[cfg(all(target_pointer_width = "64", not(windows)))]
    for (c, size) in [('l', 8), ('L', 8), ('n', 8), ('N', 8), ('q', 8), ('i', 4)] {
        assert_eq!(parse_format(&c.to_string()).unwrap().size(), size, "{c}");
    }
}

#[test]
fn alignment() {
    let size = |s| parse_format(s).unwrap().size();
    assert_eq!(size("@bi"), 8);
    assert_eq!(size("bi"), 8);
    assert_eq!(size("=bi"), 5);
    assert_eq!(size("<bi"), 5);
    assert_eq!(size("!bi"), 5);
    assert_eq!(size("@b3i"), 16);
    assert_eq!(size("@3si"), 8);
    assert_eq!(size("@xi"), 8);
    assert_eq!(size("@?i"), 8);
    assert_eq!(size("@ci"), 8);
    assert_eq!(size("@0i"), 0);
    assert_eq!(size("@b0i"), 4);
    assert_eq!(size("@b0s"), 1);
    assert_eq!(size("@bf"), 8);
    #[cfg(target_pointer_width = "64")]
    {
        assert_eq!(size("@bq"), 16);
        assert_eq!(size("@hd"), 16);
        assert_eq!(size("@bi0q"), 8);
    }
    #[cfg(all(target_pointer_width = "64", not(windows)))]
    assert_eq!(size("@llh0l"), 24);
    let f = parse_format("@bi").unwrap();
    assert!(f.is_native_aligned());
    let fields: Vec<_> = f.fields().map(|f| (f.code, f.offset, f.size)).collect();
    assert_eq!(fields, [('b', 0, 1), ('i', 4, 4)]);
}

#[test]
fn fields_and_counts() {
    let f = parse_format("!2h10sx3?").unwrap();
    assert_eq!(f.value_count(), 6);
    assert_eq!(f.byte_order(), ByteOrder::Big);
    let fields: Vec<_> = f
        .fields()
        .map(|f| (f.index, f.code, f.offset, f.size))
        .collect();
    assert_eq!(
        fields,
        [
            (0, 'h', 0, 2),
            (1, 'h', 2, 2),
            (2, 's', 4, 10),
            (3, '?', 15, 1),
            (4, '?', 16, 1),
            (5, '?', 17, 1)
        ]
    );
    assert_eq!(fields.len(), f.value_count());
    assert_eq!(
        f.fields().next().unwrap().int_range(),
        Some((-32768, 32767))
    );
    assert_eq!(f.fields().nth(2).unwrap().int_range(), None);
    assert_eq!(parse_format("").unwrap().size(), 0);
    assert_eq!(parse_format("<").unwrap().value_count(), 0);
    assert_eq!(parse_format(" i i ").unwrap().size(), 8);
}

#[test]
fn format_errors() {
    let err = |s| parse_format(s).unwrap_err();
    assert_eq!(
        err("!Hz"),
        PackError::BadChar {
            ch: 'z',
            position: 2
        }
    );
    assert_eq!(
        err("!Hz").to_string(),
        "'z' at character 3 is not a format character; use x c b B ? h H i I l L q Q n N f d s"
    );
    assert_eq!(
        err("i!"),
        PackError::MisplacedPrefix {
            ch: '!',
            position: 1
        }
    );
    assert_eq!(
        err("!!i"),
        PackError::MisplacedPrefix {
            ch: '!',
            position: 1
        }
    );
    assert_eq!(
        err("<e"),
        PackError::Unsupported {
            ch: 'e',
            position: 1
        }
    );
    assert_eq!(
        err("<n"),
        PackError::NativeOnly {
            ch: 'n',
            position: 1
        }
    );
    assert_eq!(err("i3"), PackError::CountWithoutChar { position: 1 });
    assert_eq!(err("3 i"), PackError::CountWithoutChar { position: 0 });
    assert_eq!(
        err("3 i").to_string(),
        "the count at character 1 must be followed directly by a format character"
    );
    assert_eq!(
        err("99999999999999999999999999i"),
        PackError::FormatTooLarge
    );
    assert_eq!(err("16777217x"), PackError::FormatTooLarge);
    assert_eq!(err("4194304i4194304i"), PackError::FormatTooLarge);
    assert!(parse_format("16777216x").is_ok());
    assert_eq!(
        err("ü"),
        PackError::BadChar {
            ch: 'ü',
            position: 0
        }
    );
}

#[test]
fn pack_errors() {
    let e = pack_str("!hh", "1, 70000").unwrap_err();
    assert_eq!(
        e.to_string(),
        "'h' field 2: 70000 does not fit in -32768..=32767"
    );
    assert_eq!(
        pack_str("<I", "-1").unwrap_err().to_string(),
        "'I' field 1: -1 does not fit in 0..=4294967295"
    );
    assert!(matches!(
        pack_str("b", "128"),
        Err(PackError::OutOfRange { .. })
    ));
    assert!(matches!(
        pack_str("B", "256"),
        Err(PackError::OutOfRange { .. })
    ));
    assert!(pack_str("b", "-128").is_ok());
    assert!(pack_str("<Q", "18446744073709551615").is_ok());
    assert!(matches!(
        pack_str("<Q", "18446744073709551616"),
        Err(PackError::OutOfRange { .. })
    ));
    assert_eq!(
        pack_str("3i", "1, 2").unwrap_err().to_string(),
        "the format needs 3 values, but 2 were given"
    );
    assert_eq!(
        pack_str("x", "1").unwrap_err(),
        PackError::CountMismatch {
            expected: 0,
            got: 1
        }
    );
    assert_eq!(
        pack_str("i", "1.5").unwrap_err().to_string(),
        "'i' field 1 needs an integer, got 1.5"
    );
    assert_eq!(
        pack_str("2s", "1").unwrap_err().to_string(),
        "'s' field 1 needs bytes, e.g. b'abc', got 1"
    );
    assert_eq!(
        pack_str("d", "b'x'").unwrap_err().to_string(),
        "'d' field 1 needs a number, got b'x'"
    );
    assert_eq!(
        pack_str("c", "b'ab'").unwrap_err().to_string(),
        "'c' field 1 needs exactly 1 byte, got 2"
    );
    assert!(matches!(
        pack_str("c", "1"),
        Err(PackError::WrongType { .. })
    ));
    assert_eq!(
        pack_str("<f", "1e300").unwrap_err().to_string(),
        "'f' field 1: 1e+300 is too large for a 4-byte float (at most about 3.4e+38)"
    );
    // Infinity is not "too large": it is stored as infinity.
    assert_eq!(pack_str("<f", "-inf").unwrap(), hex("000080ff"));
}

#[test]
fn python_conversions() {
    // Bools are integers; integers are floats; '?' takes anything.
    assert_eq!(pack_str("<i", "True").unwrap(), hex("01000000"));
    assert_eq!(pack_str("<d", "1").unwrap(), hex("000000000000f03f"));
    assert_eq!(
        pack_str("4?", "2.5, 0, b'', b'a'").unwrap(),
        hex("01000001")
    );
    let f = parse_format("<2?").unwrap();
    assert_eq!(
        unpack(&f, &[0, 7]).unwrap(),
        [Value::Bool(false), Value::Bool(true)]
    );
}

#[test]
fn unpack_errors() {
    let f = parse_format("!HI").unwrap();
    let e = unpack(&f, &[0; 5]).unwrap_err();
    assert_eq!(
        e,
        PackError::WrongLength {
            expected: 6,
            got: 5
        }
    );
    assert_eq!(
        e.to_string(),
        "the format needs exactly 6 bytes, but 5 were given"
    );
    assert!(unpack(&f, &[0; 7]).is_err());
    assert_eq!(unpack(&parse_format("").unwrap(), &[]).unwrap(), []);
}

#[test]
fn signed_unpack() {
    let f = parse_format("<bhiq").unwrap();
    let packed = pack_str("<bhiq", "-128, -32768, -2147483648, -9223372036854775808").unwrap();
    assert_eq!(
        show(&unpack(&f, &packed).unwrap()),
        "-128, -32768, -2147483648, -9223372036854775808"
    );
}

#[test]
fn display_is_python_repr() {
    let floats = [
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (1.5e16, "1.5e+16"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (3.5, "3.5"),
        (1.0, "1.0"),
        (-2.0, "-2.0"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
        (f64::NAN, "nan"),
        (123456789.125, "123456789.125"),
        (1e-300, "1e-300"),
        (5e-324, "5e-324"),
        (f64::MAX, "1.7976931348623157e+308"),
        (1e22, "1e+22"),
        (0.1, "0.1"),
        (-0.00123, "-0.00123"),
    ];
    for (v, s) in floats {
        assert_eq!(Value::Float(v).to_string(), s);
    }
    assert_eq!(Value::Int(-5).to_string(), "-5");
    assert_eq!(Value::Bool(true).to_string(), "True");
    assert_eq!(Value::Bool(false).to_string(), "False");
    let b = |x: &[u8]| Value::Bytes(x.to_vec()).to_string();
    assert_eq!(b(b"abc\x00"), r"b'abc\x00'");
    assert_eq!(b(b"a'b"), r#"b"a'b""#);
    assert_eq!(b(b"a\"b'"), r#"b'a"b\''"#);
    assert_eq!(b(b"\x00\t\n\r\\\x7f\x80"), r"b'\x00\t\n\r\\\x7f\x80'");
    assert_eq!(b(b""), "b''");
}

#[test]
fn parses_values() {
    let v =
        parse_values(r#"1, -2, 0x1F, -0o17, 0b101, 3.5, -1e3, True, false, b'a,b\x00', "c", 'é'"#)
            .unwrap();
    assert_eq!(
        v,
        [
            Value::Int(1),
            Value::Int(-2),
            Value::Int(31),
            Value::Int(-15),
            Value::Int(5),
            Value::Float(3.5),
            Value::Float(-1000.0),
            Value::Bool(true),
            Value::Bool(false),
            Value::Bytes(b"a,b\x00".to_vec()),
            Value::Bytes(b"c".to_vec()),
            Value::Bytes("é".as_bytes().to_vec()),
        ]
    );
    assert_eq!(parse_values("").unwrap(), []);
    assert_eq!(parse_values("  ").unwrap(), []);
    assert_eq!(parse_values("1,").unwrap(), [Value::Int(1)]);
    assert_eq!(parse_values(" 7 ").unwrap(), [Value::Int(7)]);
    assert_eq!(
        parse_values(r#"b"it's", b'\'\"\\\n\t\r\0\101\q'"#).unwrap(),
        [
            Value::Bytes(b"it's".to_vec()),
            Value::Bytes(b"'\"\\\n\t\r\0A\\q".to_vec())
        ]
    );
    assert!(matches!(parse_values("inf").unwrap()[..], [Value::Float(v)] if v.is_infinite()));
    assert_eq!(
        parse_values("-170141183460469231731687303715884105728").unwrap(),
        [Value::Int(i128::MIN)]
    );
}

#[test]
fn value_errors() {
    let err = |s| parse_values(s).unwrap_err();
    assert_eq!(err("1,,2"), PackError::EmptyValue { item: 2 });
    assert_eq!(
        err("1, abc").to_string(),
        "value 2 (abc) is not a number, True, False or b'bytes'"
    );
    assert_eq!(
        err("1, 999999999999999999999999999999999999999999").to_string(),
        "value 2 (999999999999999999999999999999999999999999) is too large"
    );
    assert_eq!(err("b'abc"), PackError::UnclosedQuote { item: 1 });
    assert_eq!(err("b'é'"), PackError::NonAsciiBytes { item: 1, ch: 'é' });
    assert!(matches!(
        err(r"b'\x4'"),
        PackError::BadEscape { item: 1, .. }
    ));
    assert!(matches!(
        err(r"b'\777'"),
        PackError::BadEscape { item: 1, .. }
    ));
    assert_eq!(
        err("b'a' b'b', 3").to_string(),
        "value 1 is followed by b'b'; separate values with commas"
    );
    assert_eq!(
        err("1 2"),
        PackError::BadValue {
            item: 1,
            text: "1 2".to_owned()
        }
    );
}

/// Format characters the round trip covers, with count ranges.
const CODES: &[char] = &[
    'x', 'c', 'b', 'B', '?', 'h', 'H', 'i', 'I', 'l', 'L', 'q', 'Q', 'f', 'd', 's', 'n', 'N',
];

fn format_string() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", "@", "=", "<", ">", "!"]),
        prop::collection::vec((prop::sample::select(CODES), 0usize..4), 0..8),
    )
        .prop_map(|(prefix, items)| {
            let mut s = prefix.to_owned();
            for (c, n) in items {
                if matches!(c, 'n' | 'N') && !matches!(prefix, "" | "@") {
                    continue;
                }
                if n != 1 || c == 's' {
                    s.push_str(&(if c == 's' { n * 3 } else { n }).to_string());
                }
                s.push(c);
            }
            s
        })
}

fn value_for(field: Field) -> BoxedStrategy<Value> {
    match field.code {
        'c' => any::<u8>().prop_map(|b| Value::Bytes(vec![b])).boxed(),
        '?' => any::<bool>().prop_map(Value::Bool).boxed(),
        'f' => any::<f32>()
            .prop_filter("nan", |v| !v.is_nan())
            .prop_map(|v| Value::Float(f64::from(v)))
            .boxed(),
        'd' => any::<f64>()
            .prop_filter("nan", |v| !v.is_nan())
            .prop_map(Value::Float)
            .boxed(),
        's' => prop::collection::vec(any::<u8>(), field.size)
            .prop_map(Value::Bytes)
            .boxed(),
        _ => {
            let (min, max) = field.int_range().unwrap();
            (min..=max).prop_map(Value::Int).boxed()
        }
    }
}

fn format_and_values() -> impl Strategy<Value = (String, Vec<Value>)> {
    format_string().prop_flat_map(|s| {
        let f = parse_format(&s).unwrap();
        let values: Vec<_> = f.fields().map(value_for).collect();
        (Just(s), values)
    })
}

proptest! {
    #[test]
    fn pack_unpack_round_trip((s, values) in format_and_values()) {
        let f = parse_format(&s).unwrap();
        let bytes = pack(&f, &values).unwrap();
        prop_assert_eq!(bytes.len(), f.size());
        prop_assert_eq!(unpack(&f, &bytes).unwrap(), values.clone());
        // Displayed values parse back to the same record.
        let text = show(&values);
        prop_assert_eq!(pack(&f, &parse_values(&text).unwrap()).unwrap(), bytes);
    }

    #[test]
    fn any_format_text_is_safe(s in "[ -~]{0,16}") {
        if let Ok(f) = parse_format(&s).map_err(|e| e.to_string()) {
            prop_assume!(f.size() <= 4096);
            prop_assert_eq!(f.fields().count(), f.value_count());
            let zeros = vec![0u8; f.size()];
            let values = unpack(&f, &zeros).unwrap();
            prop_assert_eq!(pack(&f, &values).unwrap(), zeros);
        }
    }

    #[test]
    fn any_value_text_is_safe(s in "\\PC{0,40}") {
        let _ = parse_values(&s);
    }
}
