//! Tests of `framing.rs`.

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
        (width, any::<bool>(), any::<bool>()).prop_map(|(width, big_endian, includes_header)| {
            Framing::LengthPrefix {
                width,
                big_endian,
                includes_header,
            }
        }),
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
