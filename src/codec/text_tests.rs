//! Tests of `text.rs`.

use super::*;
use proptest::prelude::*;

#[test]
fn labels_round_trip() {
    for e in TextEncoding::ALL {
        assert_eq!(TextEncoding::from_label(e.label()), Some(e));
        assert_eq!(TextEncoding::from_label(&e.label().to_lowercase()), Some(e));
        assert_eq!(e.to_string(), e.label());
    }
    assert_eq!(TextEncoding::from_label("utf8"), Some(TextEncoding::Utf8));
    assert_eq!(
        TextEncoding::from_label(" UTF_8 "),
        Some(TextEncoding::Utf8)
    );
    assert_eq!(
        TextEncoding::from_label("latin1"),
        Some(TextEncoding::Latin1)
    );
    assert_eq!(
        TextEncoding::from_label("Latin-1"),
        Some(TextEncoding::Latin1)
    );
    assert_eq!(
        TextEncoding::from_label("sjis"),
        Some(TextEncoding::ShiftJis)
    );
    assert_eq!(
        TextEncoding::from_label("shift-jis"),
        Some(TextEncoding::ShiftJis)
    );
    assert_eq!(TextEncoding::from_label("BIG5"), Some(TextEncoding::Big5));
    assert_eq!(TextEncoding::from_label("windows-1252"), None);
    assert_eq!(TextEncoding::from_label(""), None);
    assert_eq!(TextEncoding::default(), TextEncoding::Utf8);
}

#[test]
fn gbk_encodes_nihao() {
    assert_eq!(
        encode(TextEncoding::Gbk, "你好").unwrap(),
        vec![0xC4, 0xE3, 0xBA, 0xC3]
    );
    assert_eq!(
        encode(TextEncoding::Gb18030, "你好").unwrap(),
        vec![0xC4, 0xE3, 0xBA, 0xC3]
    );
}

#[test]
fn gbk_rejects_chars_outside_gbk() {
    let err = encode(TextEncoding::Gbk, "ab😀").unwrap_err();
    assert_eq!(
        err,
        EncodeError::Unmappable {
            ch: '😀',
            char_index: 2,
            encoding: TextEncoding::Gbk
        }
    );
    assert_eq!(
        err.to_string(),
        "'😀' (U+1F600) at character 3 cannot be represented in GBK"
    );
    assert!(encode(TextEncoding::Gbk, "\u{10000}").is_err());
    // GB18030 covers all of Unicode (these characters, at least).
    assert_eq!(
        encode(TextEncoding::Gb18030, "😀").unwrap(),
        vec![0x94, 0x39, 0xFC, 0x36]
    );
}

#[test]
fn unmappable_index_counts_chars_not_bytes() {
    let err = encode(TextEncoding::ShiftJis, "日本€").unwrap_err();
    assert_eq!(
        err,
        EncodeError::Unmappable {
            ch: '€',
            char_index: 2,
            encoding: TextEncoding::ShiftJis
        }
    );
    assert_eq!(
        err.to_string(),
        "'€' (U+20AC) at character 3 cannot be represented in Shift_JIS"
    );
    let err = encode(TextEncoding::Big5, "a😀").unwrap_err();
    assert!(matches!(err, EncodeError::Unmappable { char_index: 1, .. }));
}

#[test]
fn shift_jis_and_big5_encode() {
    assert_eq!(
        encode(TextEncoding::ShiftJis, "日本").unwrap(),
        vec![0x93, 0xFA, 0x96, 0x7B]
    );
    assert_eq!(
        encode(TextEncoding::Big5, "中文").unwrap(),
        vec![0xA4, 0xA4, 0xA4, 0xE5]
    );
}

#[test]
fn shift_jis_yen_is_backslash_byte() {
    // As the WHATWG Encoding Standard says: the byte Japanese systems
    // show as a yen sign.
    assert_eq!(encode(TextEncoding::ShiftJis, "¥").unwrap(), vec![0x5C]);
}

#[test]
fn latin1_is_true_latin1() {
    let all: String = (0u8..=255).map(char::from).collect();
    let bytes = encode(TextEncoding::Latin1, &all).unwrap();
    assert_eq!(bytes, (0u8..=255).collect::<Vec<_>>());
    // 0x80 is U+0080, not the euro sign of windows-1252.
    assert_eq!(
        decode_segments(TextEncoding::Latin1, &[0x80, 0xE9]),
        vec![Segment {
            kind: SegmentKind::Plain,
            text: "\u{80}é".into()
        }]
    );
    let err = encode(TextEncoding::Latin1, "é€").unwrap_err();
    assert_eq!(
        err,
        EncodeError::Unmappable {
            ch: '€',
            char_index: 1,
            encoding: TextEncoding::Latin1
        }
    );
}

#[test]
fn utf8_encode_is_identity() {
    assert_eq!(encode(TextEncoding::Utf8, "é😀").unwrap(), "é😀".as_bytes());
    let mut out = vec![1];
    encode_into(TextEncoding::Utf8, "a", &mut out).unwrap();
    assert_eq!(out, vec![1, b'a']);
}

fn seg(kind: SegmentKind, text: &str) -> Segment {
    Segment {
        kind,
        text: text.into(),
    }
}

#[test]
fn segments_split_controls_and_invalid() {
    use SegmentKind::*;
    assert_eq!(
        decode_segments(TextEncoding::Utf8, b"hi\r\n\x01\x7Fthere\x00\t\xFF\xFEok"),
        vec![
            seg(Plain, "hi"),
            seg(Control, "\\r\\n\\x01\\x7F"),
            seg(Plain, "there"),
            seg(Control, "\\0\\t"),
            seg(Invalid, "\\xFF\\xFE"),
            seg(Plain, "ok"),
        ]
    );
    assert_eq!(decode_segments(TextEncoding::Utf8, b""), vec![]);
    assert_eq!(decode_display(TextEncoding::Utf8, b""), "");
}

#[test]
fn gbk_trailing_invalid_and_truncated() {
    assert_eq!(
        decode_display(TextEncoding::Gbk, &[0xC4, 0xE3, 0xFF]),
        "你\\xFF"
    );
    // A lone lead byte at end of input is malformed.
    assert_eq!(decode_display(TextEncoding::Gbk, &[b'a', 0xC4]), "a\\xC4");
    // A lead byte followed by a byte that cannot trail it: the lead is
    // bad, the ASCII is kept.
    assert_eq!(decode_display(TextEncoding::Gbk, &[0x81, b' ']), "\\x81 ");
    assert_eq!(decode_display(TextEncoding::Gbk, &[0x81, b'A']), "丄");
}

#[test]
fn malformed_positions_exact() {
    // GB18030: 81 30 81 FF -> 81 is bad, "0" decodes, 81 FF is bad.
    assert_eq!(
        decode_segments(TextEncoding::Gb18030, &[0x81, 0x30, 0x81, 0xFF]),
        vec![
            seg(SegmentKind::Invalid, "\\x81"),
            seg(SegmentKind::Plain, "0"),
            seg(SegmentKind::Invalid, "\\x81\\xFF"),
        ]
    );
    assert_eq!(
        decode_display(TextEncoding::Utf8, &[0xE0, 0x80, b'A', 0xE3, 0x80]),
        "\\xE0\\x80A\\xE3\\x80"
    );
    assert_eq!(decode_display(TextEncoding::Big5, &[0x81, 0x40]), "\\x81@");
}

#[test]
fn bom_is_kept() {
    assert_eq!(
        decode_display(TextEncoding::Utf8, &[0xEF, 0xBB, 0xBF, b'a']),
        "\u{FEFF}a"
    );
}

#[test]
fn many_invalid_bytes_is_linear() {
    let bytes = vec![0xFFu8; 200_000];
    let s = decode_display(TextEncoding::Utf8, &bytes);
    assert_eq!(s.len(), 800_000);
    let s = decode_display(TextEncoding::Gbk, &bytes);
    assert_eq!(s.len(), 800_000);
}

/// Pushes every chunk and returns each row's display text.
fn rows(encoding: TextEncoding, chunks: &[&[u8]]) -> Vec<String> {
    let mut sp = StreamSplitter::new(encoding);
    chunks
        .iter()
        .map(|c| decode_display(encoding, &sp.push(c).text_bytes(c)))
        .collect()
}

#[test]
fn splitter_gbk_nihao() {
    let chunks: [&[u8]; 3] = [&[0xC4], &[0xE3, 0xBA], &[0xC3]];
    assert_eq!(rows(TextEncoding::Gbk, &chunks), vec!["", "你", "好"]);
    let mut sp = StreamSplitter::new(TextEncoding::Gbk);
    assert_eq!(
        sp.push(&[0xC4]),
        ChunkText {
            carry_in: Carry::default(),
            held_back: 1
        }
    );
    let ct = sp.push(&[0xE3, 0xBA]);
    assert_eq!(ct.carry_in.as_slice(), &[0xC4]);
    assert_eq!(ct.held_back, 1);
    assert_eq!(sp.pending(), &[0xBA]);
    let ct = sp.push(&[0xC3]);
    assert_eq!(ct.carry_in.as_slice(), &[0xBA]);
    assert_eq!(ct.held_back, 0);
    assert!(sp.pending().is_empty());
}

#[test]
fn splitter_utf8_e_acute() {
    let chunks: [&[u8]; 2] = [b"caf\xC3", b"\xA9!"];
    assert_eq!(rows(TextEncoding::Utf8, &chunks), vec!["caf", "é!"]);
}

#[test]
fn splitter_carry_grows_across_chunks() {
    // 😀 = F0 9F 98 80, one byte per chunk.
    let chunks: [&[u8]; 4] = [&[0xF0], &[0x9F], &[0x98], &[0x80]];
    assert_eq!(rows(TextEncoding::Utf8, &chunks), vec!["", "", "", "😀"]);
    let mut sp = StreamSplitter::new(TextEncoding::Utf8);
    sp.push(&[0xF0]);
    let ct = sp.push(&[0x9F]);
    assert!(ct.carry_in.is_empty());
    assert_eq!(ct.held_back, 1);
    assert_eq!(sp.pending(), &[0xF0, 0x9F]);
}

#[test]
fn splitter_gb18030_every_split() {
    let text = "a😀b";
    let bytes = encode(TextEncoding::Gb18030, text).unwrap();
    assert_eq!(bytes.len(), 6);
    for i in 0..=bytes.len() {
        for j in i..=bytes.len() {
            let chunks = [&bytes[..i], &bytes[i..j], &bytes[j..]];
            let joined: String = rows(TextEncoding::Gb18030, &chunks).concat();
            assert_eq!(joined, text, "split at {i}, {j}");
        }
    }
}

#[test]
fn splitter_does_not_hold_invalid() {
    let mut sp = StreamSplitter::new(TextEncoding::Gbk);
    let ct = sp.push(&[b'a', 0xFF]);
    assert_eq!(ct.held_back, 0);
    assert!(sp.pending().is_empty());
    assert_eq!(
        decode_display(TextEncoding::Gbk, &ct.text_bytes(&[b'a', 0xFF])),
        "a\\xFF"
    );
    // UTF-8: E0 80 can never start a character.
    let mut sp = StreamSplitter::new(TextEncoding::Utf8);
    assert_eq!(sp.push(&[0xE0, 0x80]).held_back, 0);
    // A held lead byte that the next chunk does not complete shows as
    // invalid in the next row.
    let chunks: [&[u8]; 2] = [&[b'x', 0xC4], b"!"];
    assert_eq!(rows(TextEncoding::Gbk, &chunks), vec!["x", "\\xC4!"]);
}

#[test]
fn splitter_latin1_never_holds() {
    let mut sp = StreamSplitter::new(TextEncoding::Latin1);
    assert_eq!(sp.push(&[0xC4]).held_back, 0);
    assert_eq!(sp.encoding(), TextEncoding::Latin1);
}

#[test]
fn text_bytes_never_panics_on_wrong_chunk() {
    let ct = ChunkText {
        carry_in: Carry::from_slice(&[1, 2]),
        held_back: 3,
    };
    assert_eq!(ct.text_bytes(&[9]).as_ref(), &[1, 2]);
    assert!(matches!(
        ChunkText::default().text_bytes(&[5]),
        Cow::Borrowed(&[5])
    ));
}

fn encodable_string(encoding: TextEncoding) -> BoxedStrategy<String> {
    let cjk = proptest::char::range('\u{4E00}', '\u{9FA5}');
    let any = any::<char>();
    let chars = prop_oneof![
        3 => proptest::char::range(' ', '~'),
        3 => cjk,
        2 => any,
    ];
    proptest::collection::vec(chars, 0..40)
        .prop_map(move |v| {
            v.into_iter()
                .filter(|c| !c.is_control())
                // Only characters that survive a round trip: Shift_JIS
                // encodes '¥' as 0x5C, which decodes as '\\'.
                .filter(|c| {
                    let s = c.encode_utf8(&mut [0; 4]).to_string();
                    encode(encoding, &s).is_ok_and(|b| decode_display(encoding, &b) == s)
                })
                .collect::<String>()
        })
        .boxed()
}

fn split_round_trip(encoding: TextEncoding, s: &str, cuts: &[usize]) -> Result<(), TestCaseError> {
    let bytes = encode(encoding, s).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut sp = StreamSplitter::new(encoding);
    let mut out = String::new();
    let mut start = 0;
    for end in cuts.into_iter().chain([bytes.len()]) {
        let chunk = &bytes[start..end];
        let ct = sp.push(chunk);
        prop_assert!(ct.carry_in.len() <= 3);
        prop_assert!(usize::from(ct.held_back) <= chunk.len().min(3));
        out.push_str(&decode_display(encoding, &ct.text_bytes(chunk)));
        start = end;
    }
    prop_assert!(sp.pending().is_empty());
    prop_assert_eq!(out, s);
    Ok(())
}

/// Each row shows only its own bytes: the head (finishing a character
/// begun before) and tail (beginning one finished after) as partial bytes,
/// the rest as whole text. Joining the partial pieces across rows gives
/// whole characters, and everything joined gives the text back.
fn own_bytes_round_trip(
    encoding: TextEncoding,
    s: &str,
    cuts: &[usize],
) -> Result<(), TestCaseError> {
    let bytes = encode(encoding, s).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut sp = StreamSplitter::new(encoding);
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut start = 0;
    for end in cuts.into_iter().chain([bytes.len()]) {
        let chunk = &bytes[start..end];
        let ct = sp.push(chunk);
        let parts = ct.own_parts(encoding, chunk);
        prop_assert!(parts.head + parts.tail <= chunk.len());
        if parts.head > 0 {
            prop_assert_eq!(ct.carry_in.as_slice(), pending.as_slice());
            pending.extend_from_slice(&chunk[..parts.head]);
            let whole = decode_exact(encoding, &pending);
            prop_assert!(
                whole.as_ref().is_some_and(|w| w.chars().count() == 1),
                "{:?}",
                pending
            );
            out.push_str(&whole.unwrap_or_default());
            pending.clear();
        }
        let body = &chunk[parts.head..chunk.len() - parts.tail];
        let text = decode_exact(encoding, body);
        prop_assert!(text.is_some(), "row body {:?} is not whole text", body);
        out.push_str(&text.unwrap_or_default());
        pending.extend_from_slice(&chunk[chunk.len() - parts.tail..]);
        start = end;
    }
    prop_assert!(pending.is_empty());
    prop_assert_eq!(out, s);
    Ok(())
}

#[test]
fn a_cut_character_is_partial_on_both_rows() {
    // 心跳 in GBK, cut after 心's lead byte: the first row ends with the
    // lead byte, the second starts with the rest.
    let mut sp = StreamSplitter::new(TextEncoding::Gbk);
    let a: &[u8] = &[0x01, 0x03, 0xD0];
    let b: &[u8] = &[0xC4, 0xCC, 0xF8];
    let pa = sp.push(a).own_parts(TextEncoding::Gbk, a);
    let cb = sp.push(b);
    let pb = cb.own_parts(TextEncoding::Gbk, b);
    assert_eq!((pa.head, pa.tail), (0, 1));
    assert_eq!((pb.head, pb.tail), (1, 0));
    assert_eq!(cb.carry_in.as_slice(), [0xD0]);
}

proptest! {
    #[test]
    fn prop_own_bytes_gbk(s in encodable_string(TextEncoding::Gbk), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        own_bytes_round_trip(TextEncoding::Gbk, &s, &cuts)?;
    }

    #[test]
    fn prop_own_bytes_utf8(s in encodable_string(TextEncoding::Utf8), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        own_bytes_round_trip(TextEncoding::Utf8, &s, &cuts)?;
    }

    #[test]
    fn prop_own_bytes_gb18030(s in encodable_string(TextEncoding::Gb18030), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        own_bytes_round_trip(TextEncoding::Gb18030, &s, &cuts)?;
    }

    #[test]
    fn prop_own_bytes_big5(s in encodable_string(TextEncoding::Big5), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        own_bytes_round_trip(TextEncoding::Big5, &s, &cuts)?;
    }

    #[test]
    fn prop_split_utf8(s in encodable_string(TextEncoding::Utf8), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        split_round_trip(TextEncoding::Utf8, &s, &cuts)?;
    }

    #[test]
    fn prop_split_gbk(s in encodable_string(TextEncoding::Gbk), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        split_round_trip(TextEncoding::Gbk, &s, &cuts)?;
    }

    #[test]
    fn prop_split_gb18030(s in encodable_string(TextEncoding::Gb18030), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        split_round_trip(TextEncoding::Gb18030, &s, &cuts)?;
    }

    #[test]
    fn prop_split_big5_sjis(s in encodable_string(TextEncoding::Big5), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        split_round_trip(TextEncoding::Big5, &s, &cuts)?;
    }

    #[test]
    fn prop_split_shift_jis(s in encodable_string(TextEncoding::ShiftJis), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        split_round_trip(TextEncoding::ShiftJis, &s, &cuts)?;
    }

    #[test]
    fn prop_encode_decode_round_trip(s in encodable_string(TextEncoding::Gbk)) {
        // Shift_JIS is left out: it encodes '¥' as 0x5C, which decodes
        // as '\\' (see `shift_jis_yen_is_backslash_byte`).
        for e in TextEncoding::ALL.into_iter().filter(|&e| e != TextEncoding::ShiftJis) {
            if let Ok(bytes) = encode(e, &s) {
                prop_assert_eq!(decode_display(e, &bytes), s.clone());
            }
        }
    }

    #[test]
    fn prop_random_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..64),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        for e in TextEncoding::ALL {
            let segs = decode_segments(e, &bytes);
            prop_assert!(segs.iter().all(|s| !s.text.is_empty()));
            prop_assert!(segs.windows(2).all(|w| w[0].kind != w[1].kind));
            // Splitting random bytes shows every byte exactly once, and the
            // rows joined equal the whole decoded at once.
            let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
            cuts.sort_unstable();
            let mut sp = StreamSplitter::new(e);
            let mut shown = Vec::new();
            let mut start = 0;
            for end in cuts.iter().copied().chain([bytes.len()]) {
                let chunk = &bytes[start..end];
                shown.extend_from_slice(&sp.push(chunk).text_bytes(chunk));
                start = end;
            }
            shown.extend_from_slice(sp.pending());
            prop_assert_eq!(&shown, &bytes);
        }
    }
}
