//! Reply rules written as Python: each condition an `if`/`elif` test on
//! `data`, each reply template the statements that build `reply`, and the
//! checksum functions they use, in the standard library where it has them
//! (`zlib.crc32`, `binascii.crc_hqx`) and the CRC catalogue's parameters
//! where it does not.

use std::fmt::Write as _;

use crate::codec::checksum::{ByteOrder, Checksum};
use crate::codec::compose::{LineEnding, build_payload};
use crate::codec::template::{Form, Part, Scope, SeqForm, Template, TimeForm};
use crate::codec::text::TextEncoding;
use crate::i18n::{tr, trf};
use crate::model::pygen::{Program, py_bytes, py_payload, py_str};
use crate::rules::{CheckWhen, MatchMode, Rule, RuleSet, When};

/// The Python function name of a checksum (`crc16_modbus`).
pub fn py_checksum_name(sum: Checksum) -> String {
    sum.key().replace('-', "_")
}

/// Makes sure the program defines the function for `sum`; returns its name.
pub fn need_checksum(p: &mut Program, sum: Checksum) -> String {
    let name = py_checksum_name(sum);
    let crc = |p: &mut Program, args: &str| {
        p.helper("crc", CRC_HELPER);
        format!("def {name}(data):\n    return crc(data, {args})\n")
    };
    let def = match sum {
        Checksum::Sum8 => format!("def {name}(data):\n    return sum(data) & 0xFF\n"),
        Checksum::Xor8 => format!(
            "def {name}(data):\n    x = 0\n    for b in data:\n        x ^= b\n    return x\n"
        ),
        Checksum::Crc8Smbus => crc(p, "8, 0x07, 0x00, False, 0x00"),
        Checksum::Crc8Maxim => crc(p, "8, 0x31, 0x00, True, 0x00"),
        Checksum::Crc16Modbus => crc(p, "16, 0x8005, 0xFFFF, True, 0x0000"),
        Checksum::Crc16CcittFalse => {
            p.import("binascii");
            format!("def {name}(data):\n    return binascii.crc_hqx(data, 0xFFFF)\n")
        }
        Checksum::Crc16Xmodem => {
            p.import("binascii");
            format!("def {name}(data):\n    return binascii.crc_hqx(data, 0)\n")
        }
        Checksum::Crc32 => {
            p.import("zlib");
            format!("def {name}(data):\n    return zlib.crc32(data)\n")
        }
    };
    let def = format!("# {}\n{def}", sum.label());
    p.helper(&name, &def);
    name
}

/// The catalogue's CRC, bit by bit (refin = refout in every one used here).
const CRC_HELPER: &str = "\
def crc(data, width, poly, init, reflected, xorout):
    \"\"\"A CRC from the catalogue's parameters, one bit at a time.\"\"\"
    mask = (1 << width) - 1
    if reflected:
        poly = int(format(poly, '0%db' % width)[::-1], 2)
        reg = int(format(init, '0%db' % width)[::-1], 2)
        for b in data:
            reg ^= b
            for _ in range(8):
                reg = (reg >> 1) ^ poly if reg & 1 else reg >> 1
    else:
        reg = init
        for b in data:
            reg ^= b << (width - 8)
            for _ in range(8):
                reg = ((reg << 1) ^ poly) & mask if reg >> (width - 1) & 1 else (reg << 1) & mask
    return reg ^ xorout
";

/// `sum(data).to_bytes(2, 'little')`: a checksum's bytes in `order`.
fn checksum_bytes(p: &mut Program, sum: Checksum, order: ByteOrder, of: &str) -> String {
    let name = need_checksum(p, sum);
    let order = match order {
        ByteOrder::Big => "big",
        ByteOrder::Little => "little",
    };
    format!("{name}({of}).to_bytes({}, '{order}')", sum.width())
}

/// How the rules' Python refers to the sender and writes its address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerForm {
    /// `(host, port)`: `127.0.0.1:5000`.
    V4,
    /// `(host, port, flow, scope)`: `[::1]:5000`.
    V6,
    /// A Unix path (a `str`).
    Unix,
}

/// What the rules are written against.
pub struct RulesCtx<'a> {
    /// The socket's encoding, as Python names it.
    pub codec: &'a str,
    /// The socket's encoding.
    pub encoding: TextEncoding,
    /// How a reply is sent: `conn.sendall(reply)`, `s.sendto(reply, addr)`.
    pub send: &'a str,
    /// The sender's form.
    pub peer: PeerForm,
}

/// Writes the `if`/`elif` chain that answers `data` (from `addr`) as
/// `set`'s rules do, at `indent`.
pub fn rules_body(p: &mut Program, indent: usize, set: &RuleSet, cx: &RulesCtx<'_>) {
    let rules: Vec<(usize, &Rule)> = set
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.enabled)
        .collect();
    if rules.is_empty() {
        p.line(indent, &format!("pass  # {}", tr("no rule is on")));
        return;
    }
    if rules.iter().any(|(_, r)| r.when == When::Regex) {
        p.line(
            indent,
            &format!("text = data.decode('{}', errors='replace')", cx.codec),
        );
    }
    for (k, (i, r)) in rules.iter().enumerate() {
        let cond = condition(p, r, cx);
        let rule_n = trf("rule {n}", &[("n", &(i + 1))]);
        if k == 0 || set.mode == MatchMode::All {
            p.line(indent, &format!("if {cond}:  # {rule_n}"));
        } else if cond == "True" {
            p.line(indent, &format!("else:  # {rule_n}"));
            reply(p, indent + 1, *i, r, cx);
            if k + 1 < rules.len() {
                p.line(
                    indent,
                    &format!(
                        "# {}",
                        tr("the rules after it are never reached: it matches anything")
                    ),
                );
            }
            break;
        } else {
            p.line(indent, &format!("elif {cond}:  # {rule_n}"));
        }
        reply(p, indent + 1, *i, r, cx);
    }
}

/// A rule's condition as a Python expression.
fn condition(p: &mut Program, r: &Rule, cx: &RulesCtx<'_>) -> String {
    let bytes = || {
        build_payload(&r.value, r.value_mode, cx.encoding, LineEnding::None, true)
            .map(|b| py_bytes(&b))
            .unwrap_or_else(|_| "b''".into())
    };
    let mut parts = Vec::new();
    match r.when {
        When::Any => {}
        When::Equals => parts.push(format!("data == {}", bytes())),
        When::Contains => parts.push(format!("{} in data", bytes())),
        When::StartsWith => parts.push(format!("data.startswith({})", bytes())),
        When::HexPattern => {
            p.import("re");
            parts.push(format!(
                "re.fullmatch({}, data, re.DOTALL)",
                hex_pattern_regex(&r.value)
            ));
        }
        When::Regex => {
            p.import("re");
            parts.push(format!("(m := re.search({}, text))", py_regex(&r.value)));
        }
    }
    let from = r.from.trim();
    if !from.is_empty() {
        parts.push(from_test(from, cx.peer));
    }
    if r.check != CheckWhen::Ignore {
        let w = r.check_sum.width();
        let sum = checksum_bytes(p, r.check_sum, r.check_order, &format!("data[:-{w}]"));
        let ok = format!("(len(data) >= {w} and {sum} == data[-{w}:])");
        parts.push(if r.check == CheckWhen::Valid {
            ok
        } else {
            format!("not {ok}")
        });
    }
    if parts.is_empty() {
        "True".into()
    } else {
        parts.join(" and ")
    }
}

/// A regex as a Python raw string where it can be one (`r'name=(\w+)'`).
fn py_regex(pattern: &str) -> String {
    let raw_ok = !pattern.contains(['\'', '\n', '\r'])
        && !pattern.ends_with('\\')
        && !pattern.chars().any(char::is_control);
    if raw_ok {
        format!("r'{pattern}'")
    } else {
        py_str(pattern)
    }
}

/// A sender filter as a test of `addr`: the whole address, or its IP.
fn from_test(from: &str, peer: PeerForm) -> String {
    if peer == PeerForm::Unix {
        return format!("addr == {}", py_str(from));
    }
    match from.parse::<std::net::SocketAddr>() {
        Ok(a) => format!(
            "addr[:2] == ({}, {})",
            py_str(&a.ip().to_string()),
            a.port()
        ),
        Err(_) => format!("addr[0] == {}", py_str(from)),
    }
}

/// A hex pattern (`01 03 ?? *`) as a Python bytes regex over the whole
/// message.
fn hex_pattern_regex(pattern: &str) -> String {
    let mut out = String::from("rb'");
    for token in pattern.split_whitespace() {
        if token == "*" {
            out.push_str(".*");
            continue;
        }
        let t = token
            .strip_prefix("0x")
            .or_else(|| token.strip_prefix("0X"))
            .unwrap_or(token);
        for pair in t.as_bytes().chunks(2) {
            if pair == b"??" {
                out.push('.');
            } else {
                let _ = write!(out, "\\x{}", String::from_utf8_lossy(pair).to_lowercase());
            }
        }
    }
    out.push('\'');
    out
}

/// The statements that build and send rule `i`'s reply.
fn reply(p: &mut Program, indent: usize, i: usize, r: &Rule, cx: &RulesCtx<'_>) {
    if r.reply.is_empty() && r.reply_checksum.is_none() {
        p.line(
            indent,
            &format!("pass  # {}", tr("no reply: the rule only counts")),
        );
        return;
    }
    let form = Form {
        mode: r.reply_mode,
        encoding: cx.encoding,
        line_ending: r.reply_line_ending,
        escapes: true,
        checksum: r.reply_checksum.map(|c| (c, r.reply_order)),
    };
    let Ok(t) = Template::parse(&r.reply, form, Scope::Reply) else {
        p.line(
            indent,
            &format!("pass  # {}", tr("the reply cannot be read: see the rule")),
        );
        return;
    };
    template(p, indent, &t, Some(i), cx);
    if r.delay_ms > 0 {
        p.import("time");
        p.line(
            indent,
            &format!(
                "time.sleep({})  # {}",
                f64::from(r.delay_ms) / 1000.0,
                trf("{ms} ms later", &[("ms", &r.delay_ms)])
            ),
        );
    }
    p.line(indent, cx.send);
}

/// The statements that build `reply` from template `t` (rule `rule`'s,
/// whose hit number `${seq}` counts).
pub fn template(
    p: &mut Program,
    indent: usize,
    t: &Template,
    rule: Option<usize>,
    cx: &RulesCtx<'_>,
) {
    let uses_seq = t.parts().iter().any(|x| matches!(x, Part::Seq(_)));
    if uses_seq {
        match rule {
            Some(i) => {
                p.import("itertools");
                p.global(&format!(
                    "hits_{} = itertools.count(1)  # {}",
                    i + 1,
                    trf("rule {n}'s hits, for ${seq}", &[("n", &(i + 1))])
                ));
                p.line(indent, &format!("n = next(hits_{})", i + 1));
            }
            None => p.line(indent, "n = 1"),
        }
    }
    let mut first = true;
    for part in t.parts() {
        let expr = match part {
            Part::Bytes(b) => py_payload(b, cx.encoding),
            Part::Seq(SeqForm::Decimal) => "str(n).encode()".into(),
            Part::Seq(SeqForm::Binary(width, order)) => format!(
                "(n % (1 << {})).to_bytes({width}, '{}')",
                width * 8,
                if *order == ByteOrder::Big {
                    "big"
                } else {
                    "little"
                }
            ),
            Part::Time(TimeForm::Clock) => {
                p.import("datetime");
                "datetime.datetime.now().strftime('%H:%M:%S.%f')[:-3].encode()".into()
            }
            Part::Time(TimeForm::Iso) => {
                p.import("datetime");
                "datetime.datetime.now().astimezone().isoformat(timespec='milliseconds').encode()"
                    .into()
            }
            Part::Time(TimeForm::Unix) => {
                p.import("time");
                "str(int(time.time())).encode()".into()
            }
            Part::Time(TimeForm::UnixMs) => {
                p.import("time");
                "str(time.time_ns() // 1000000).encode()".into()
            }
            Part::Rand(n) => {
                p.import("os");
                format!("os.urandom({n})")
            }
            Part::Rx { start, end } => match (start, end) {
                (0, None) => "data".into(),
                (a, None) => format!("data[{a}:]"),
                (a, Some(b)) => format!("data[{a}:{b}]"),
            },
            Part::Group(g) => format!(
                "(m.group({g}) or '').encode('{}', errors='replace')",
                cx.codec
            ),
            Part::Peer => match cx.peer {
                PeerForm::V4 => "('%s:%d' % addr[:2]).encode()".into(),
                PeerForm::V6 => "('[%s]:%d' % addr[:2]).encode()".into(),
                PeerForm::Unix => "str(addr).encode()".into(),
            },
            Part::Check { sum, order, from } => {
                let of = if *from == 0 {
                    "reply".to_string()
                } else {
                    format!("reply[{from}:]")
                };
                if first {
                    // A checksum of nothing.
                    checksum_bytes(p, *sum, *order, "b''")
                } else {
                    checksum_bytes(p, *sum, *order, &of)
                }
            }
        };
        if first {
            p.line(indent, &format!("reply = {expr}"));
            first = false;
        } else {
            p.line(indent, &format!("reply += {expr}"));
        }
    }
    if first {
        p.line(indent, "reply = b''");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_patterns_become_bytes_regexes() {
        assert_eq!(hex_pattern_regex("01 03 ?? ?? *"), "rb'\\x01\\x03...*'");
        assert_eq!(hex_pattern_regex("0xAB ??CD"), "rb'\\xab.\\xcd'");
    }

    #[test]
    fn regexes_are_raw_strings_where_they_can_be() {
        assert_eq!(py_regex(r"name=(\w+)"), r"r'name=(\w+)'");
        assert_eq!(py_regex("it's"), r"'it\'s'");
    }

    #[test]
    fn sender_filters_compare_the_address_or_its_ip() {
        assert_eq!(
            from_test("127.0.0.1:5000", PeerForm::V4),
            "addr[:2] == ('127.0.0.1', 5000)"
        );
        assert_eq!(from_test("::1", PeerForm::V6), "addr[0] == '::1'");
        assert_eq!(from_test("/tmp/a", PeerForm::Unix), "addr == '/tmp/a'");
    }
}
