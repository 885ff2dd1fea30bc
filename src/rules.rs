//! Reply rules (auto-reply): conditions on what a socket receives and the
//! replies they send, tried in order. Edited in the window as a
//! [`RuleSet`]; compiled into [`CompiledRules`], a
//! [`ReceiveHook`] that runs on the engine thread. Received bytes are only
//! ever compared and copied, never executed: regexes run in linear time
//! (the `regex` crate) and templates only fill in values.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::codec::checksum::{ByteOrder, Checksum};
use crate::codec::compose::{InputMode, LineEnding, build_payload};
use crate::codec::framing::{Deframer, Framing};
use crate::codec::template::{Form, Scope, Template, TemplateError, Vars, encode_lossy};
use crate::codec::text::{TextEncoding, decode_lossy};
use crate::engine::{Addr, ReceiveHook, Received, Reply, SocketId};
use crate::i18n::{tr, trf};

/// The most bytes a framed rule set buffers for one connection's
/// unfinished message.
pub const MAX_RULE_MESSAGE_BYTES: usize = 1024 * 1024;
/// The longest delay a rule may ask for.
pub const MAX_DELAY_MS: u32 = 60_000;

/// Which rules answer a message.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum MatchMode {
    /// The first rule that matches.
    #[default]
    First,
    /// Every rule that matches, in order.
    All,
}

impl MatchMode {
    /// Both modes, in menu order.
    pub const ALL: [MatchMode; 2] = [MatchMode::First, MatchMode::All];

    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            MatchMode::First => tr("First rule that matches"),
            MatchMode::All => tr("Every rule that matches"),
        }
    }
}

/// What a rule's condition looks for.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum When {
    /// Anything.
    #[default]
    Any,
    /// Exactly these bytes.
    Equals,
    /// These bytes anywhere.
    Contains,
    /// These bytes first.
    StartsWith,
    /// A hex pattern over the whole message: `??` any one byte, `*` any
    /// run of bytes (`01 03 ?? ?? *`).
    HexPattern,
    /// A regular expression found in the text decoded in the socket's
    /// encoding.
    Regex,
}

impl When {
    /// Every kind, in menu order.
    pub const ALL: [When; 6] = [
        When::Any,
        When::Equals,
        When::Contains,
        When::StartsWith,
        When::HexPattern,
        When::Regex,
    ];

    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            When::Any => tr("anything"),
            When::Equals => tr("equals"),
            When::Contains => tr("contains"),
            When::StartsWith => tr("starts with"),
            When::HexPattern => tr("hex pattern"),
            When::Regex => tr("regex"),
        }
    }

    /// Whether its value is bytes given as text or hex (not a pattern).
    pub fn takes_bytes(self) -> bool {
        matches!(self, When::Equals | When::Contains | When::StartsWith)
    }
}

/// What a rule asks of a checksum at the end of the message.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum CheckWhen {
    /// Nothing.
    #[default]
    Ignore,
    /// The message ends with a correct checksum of the bytes before it.
    Valid,
    /// It does not (answer a damaged frame with a NAK).
    Invalid,
}

impl CheckWhen {
    /// Every choice, in menu order.
    pub const ALL: [CheckWhen; 3] = [CheckWhen::Ignore, CheckWhen::Valid, CheckWhen::Invalid];

    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            CheckWhen::Ignore => tr("not checked"),
            CheckWhen::Valid => tr("must be valid"),
            CheckWhen::Invalid => tr("must be wrong"),
        }
    }
}

/// One reply rule as the user edits it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Rule {
    /// Whether it is tried.
    pub enabled: bool,
    /// What the condition looks for.
    pub when: When,
    /// The bytes, pattern or regex looked for.
    pub value: String,
    /// How `value` is read for equals / contains / starts with.
    pub value_mode: InputMode,
    /// A checksum the message must (or must not) end with.
    pub check: CheckWhen,
    /// Which checksum.
    pub check_sum: Checksum,
    /// In which byte order.
    pub check_order: ByteOrder,
    /// Only messages from this sender (its address, or only its IP);
    /// empty: anyone.
    pub from: String,
    /// The reply's template (see [`crate::codec::template`]); empty: no
    /// reply (the rule only counts).
    pub reply: String,
    /// How the reply is read.
    pub reply_mode: InputMode,
    /// Appended to a text reply.
    pub reply_line_ending: LineEnding,
    /// A checksum appended to the reply.
    pub reply_checksum: Option<Checksum>,
    /// Its byte order.
    pub reply_order: ByteOrder,
    /// How long to wait before replying.
    pub delay_ms: u32,
    /// How many messages it answered (shared with the compiled rule).
    #[serde(skip)]
    pub hits: Arc<AtomicU64>,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            enabled: true,
            when: When::Any,
            value: String::new(),
            value_mode: InputMode::Text,
            check: CheckWhen::Ignore,
            check_sum: Checksum::Crc16Modbus,
            check_order: ByteOrder::Little,
            from: String::new(),
            reply: String::new(),
            reply_mode: InputMode::Text,
            reply_line_ending: LineEnding::None,
            reply_checksum: None,
            reply_order: ByteOrder::Little,
            delay_ms: 0,
            hits: Arc::default(),
        }
    }
}

impl Rule {
    /// A rule that sends back whatever arrives.
    pub fn echo() -> Rule {
        Rule {
            reply: "${rx}".to_string(),
            reply_mode: InputMode::Hex,
            ..Rule::default()
        }
    }

    /// How many messages it answered.
    pub fn hit_count(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }
}

/// A socket's reply rules.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RuleSet {
    /// Whether the rules run.
    pub on: bool,
    /// First match or all.
    pub mode: MatchMode,
    /// On a byte stream: `Framing::None` matches each `recv()`; a framing
    /// matches each message it cuts out (per connection). Datagrams are
    /// always one message each.
    pub framing: Framing,
    /// The rules, tried in order.
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// An echo server's rules: on, one rule answering anything with itself.
    pub fn echo() -> RuleSet {
        RuleSet {
            on: true,
            mode: MatchMode::First,
            framing: Framing::None,
            rules: vec![Rule::echo()],
        }
    }

    /// What a condition matches on a stream, as a rule shows it.
    pub fn unit(&self) -> String {
        match &self.framing {
            Framing::None => tr("each recv() (each datagram on UDP)").to_string(),
            f => trf(
                "each framed message ({framing}); each datagram on UDP",
                &[("framing", &framing_label(f))],
            ),
        }
    }

    /// The rules ready to run, their text read in `encoding`.
    pub fn compile(&self, encoding: TextEncoding) -> Result<CompiledRules, RuleError> {
        self.framing.validate().map_err(|e| RuleError {
            rule: None,
            part: RulePart::Framing,
            message: e.to_string(),
        })?;
        let mut rules = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            if r.enabled {
                rules.push(compile_rule(i, r, encoding)?);
            }
        }
        Ok(CompiledRules {
            mode: self.mode,
            framing: self.framing.clone(),
            encoding,
            rules,
            deframers: HashMap::new(),
        })
    }
}

/// The ways a rule set can cut a stream into messages, as its menu
/// offers them.
pub fn framing_choices() -> Vec<Framing> {
    use crate::codec::framing::LengthWidth;
    let delim = |d: &[u8]| Framing::Delimiter {
        delimiter: d.to_vec(),
        keep_delimiter: true,
    };
    let prefix = |width| Framing::LengthPrefix {
        width,
        big_endian: true,
        includes_header: false,
    };
    vec![
        Framing::None,
        delim(b"\n"),
        delim(b"\r\n"),
        delim(b"\0"),
        prefix(LengthWidth::W2),
        prefix(LengthWidth::W4),
    ]
}

/// A framing as a rule set's menu names it.
pub fn framing_label(f: &Framing) -> String {
    use crate::codec::hex::format_hex;
    match f {
        Framing::None => tr("each recv()").to_string(),
        Framing::Delimiter { delimiter, .. } => match delimiter.as_slice() {
            b"\n" => tr("lines ending \\n").to_string(),
            b"\r\n" => tr("lines ending \\r\\n").to_string(),
            d => trf("messages ending {hex}", &[("hex", &format_hex(d))]),
        },
        Framing::LengthPrefix {
            width, big_endian, ..
        } => {
            let order = if *big_endian { "!" } else { "<" };
            let code = match width.bytes() {
                1 => "B",
                2 => "H",
                4 => "I",
                _ => "Q",
            };
            trf(
                "a {n}-byte length first (struct '{fmt}')",
                &[("n", &width.bytes()), ("fmt", &format!("{order}{code}"))],
            )
        }
        Framing::Fixed { size } => trf("{n} bytes each", &[("n", size)]),
    }
}

/// Which part of a rule is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulePart {
    /// The rule set's framing.
    Framing,
    /// The condition's value.
    Condition,
    /// The sender filter.
    From,
    /// The reply.
    Reply,
    /// The delay.
    Delay,
}

/// Why a rule cannot run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct RuleError {
    /// Which rule (0-based), or `None` for the set.
    pub rule: Option<usize>,
    /// Which part.
    pub part: RulePart,
    /// What is wrong.
    pub message: String,
}

impl RuleError {
    fn describe(&self) -> String {
        let part = match self.part {
            RulePart::Framing => tr("framing"),
            RulePart::Condition => tr("condition"),
            RulePart::From => tr("sender"),
            RulePart::Reply => tr("reply"),
            RulePart::Delay => tr("delay"),
        };
        match self.rule {
            Some(i) => trf(
                "rule {n}, {part}: {message}",
                &[("n", &(i + 1)), ("part", &part), ("message", &self.message)],
            ),
            None => trf(
                "{part}: {message}",
                &[("part", &part), ("message", &self.message)],
            ),
        }
    }
}

/// A condition ready to test.
#[derive(Clone, Debug)]
enum Matcher {
    Any,
    Equals(Vec<u8>),
    Contains(Vec<u8>),
    StartsWith(Vec<u8>),
    Pattern(Vec<PatternItem>),
    Regex(regex::Regex),
}

/// One item of a hex pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatternItem {
    Byte(u8),
    AnyByte,
    AnyRun,
}

/// One rule ready to run.
#[derive(Clone, Debug)]
struct CompiledRule {
    /// Its place in the set (0-based), counting disabled rules.
    index: usize,
    matcher: Matcher,
    check: Option<(CheckWhen, Checksum, ByteOrder)>,
    from: Option<String>,
    reply: Option<Template>,
    delay: Duration,
    hits: Arc<AtomicU64>,
}

fn compile_rule(i: usize, r: &Rule, encoding: TextEncoding) -> Result<CompiledRule, RuleError> {
    let err = |part, message: String| RuleError {
        rule: Some(i),
        part,
        message,
    };
    let matcher = match r.when {
        When::Any => Matcher::Any,
        When::Equals | When::Contains | When::StartsWith => {
            let bytes = build_payload(&r.value, r.value_mode, encoding, LineEnding::None, true)
                .map_err(|e| err(RulePart::Condition, e.to_string()))?;
            if bytes.is_empty() && r.when != When::Equals {
                return Err(err(
                    RulePart::Condition,
                    tr("give the bytes to look for").to_string(),
                ));
            }
            match r.when {
                When::Equals => Matcher::Equals(bytes),
                When::Contains => Matcher::Contains(bytes),
                _ => Matcher::StartsWith(bytes),
            }
        }
        When::HexPattern => {
            Matcher::Pattern(parse_pattern(&r.value).map_err(|m| err(RulePart::Condition, m))?)
        }
        When::Regex => Matcher::Regex(
            regex::RegexBuilder::new(&r.value)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| err(RulePart::Condition, e.to_string()))?,
        ),
    };
    if r.delay_ms > MAX_DELAY_MS {
        return Err(err(
            RulePart::Delay,
            trf("at most {max} ms", &[("max", &MAX_DELAY_MS)]),
        ));
    }
    let form = Form {
        mode: r.reply_mode,
        encoding,
        line_ending: r.reply_line_ending,
        escapes: true,
        checksum: r.reply_checksum.map(|c| (c, r.reply_order)),
    };
    let reply = if r.reply.is_empty() && r.reply_checksum.is_none() {
        None
    } else {
        Some(
            Template::parse(&r.reply, form, Scope::Reply)
                .map_err(|e: TemplateError| err(RulePart::Reply, e.to_string()))?,
        )
    };
    let from = Some(r.from.trim().to_string()).filter(|f| !f.is_empty());
    Ok(CompiledRule {
        index: i,
        matcher,
        check: (r.check != CheckWhen::Ignore).then_some((r.check, r.check_sum, r.check_order)),
        from,
        reply,
        delay: Duration::from_millis(u64::from(r.delay_ms)),
        hits: Arc::clone(&r.hits),
    })
}

/// Reads a hex pattern: hex bytes, `??` for any byte, `*` for any run.
fn parse_pattern(text: &str) -> Result<Vec<PatternItem>, String> {
    let mut items = Vec::new();
    for (n, token) in text.split_whitespace().enumerate() {
        let word = n + 1;
        if token == "*" {
            items.push(PatternItem::AnyRun);
            continue;
        }
        let t = token
            .strip_prefix("0x")
            .or_else(|| token.strip_prefix("0X"))
            .unwrap_or(token);
        if t.len() % 2 != 0 || t.is_empty() {
            return Err(trf(
                "'{token}' (item {n}) is not whole bytes: write each byte as two hex digits or ??",
                &[("token", &token), ("n", &word)],
            ));
        }
        let chars: Vec<char> = t.chars().collect();
        for pair in chars.chunks(2) {
            let item = match (pair[0], pair[1]) {
                ('?', '?') => PatternItem::AnyByte,
                (a, b) => match (a.to_digit(16), b.to_digit(16)) {
                    (Some(h), Some(l)) => PatternItem::Byte((h * 16 + l) as u8),
                    _ => {
                        return Err(trf(
                            "'{token}' (item {n}) is not hex: use two hex digits, ?? for any byte, * for any bytes",
                            &[("token", &token), ("n", &word)],
                        ));
                    }
                },
            };
            items.push(item);
        }
    }
    if items.is_empty() {
        return Err(tr("give a pattern, e.g. 01 03 ?? ?? *").to_string());
    }
    Ok(items)
}

/// Whether `msg` matches the whole of `pattern`: a glob over bytes, one
/// star remembered at a time (linear for one star, `O(n·m)` at worst).
fn pattern_matches(pattern: &[PatternItem], msg: &[u8]) -> bool {
    let (mut p, mut m) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while m < msg.len() {
        match pattern.get(p) {
            Some(PatternItem::AnyRun) => {
                star = Some((p, m));
                p += 1;
            }
            Some(PatternItem::AnyByte) => {
                p += 1;
                m += 1;
            }
            Some(PatternItem::Byte(b)) if *b == msg[m] => {
                p += 1;
                m += 1;
            }
            _ => match star {
                Some((sp, sm)) => {
                    p = sp + 1;
                    m = sm + 1;
                    star = Some((sp, sm + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|i| *i == PatternItem::AnyRun)
}

/// One reply a rule made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Which rule (0-based, as listed).
    pub rule: usize,
    /// The reply's bytes (empty: the rule only counts).
    pub bytes: Vec<u8>,
    /// How long it waits.
    pub delay: Duration,
}

/// Rules ready to run on the engine thread (see [`RuleSet::compile`]).
#[derive(Clone, Debug)]
pub struct CompiledRules {
    mode: MatchMode,
    framing: Framing,
    encoding: TextEncoding,
    rules: Vec<CompiledRule>,
    /// Each connection's unfinished message, when framed.
    deframers: HashMap<SocketId, Deframer>,
}

impl CompiledRules {
    /// The replies to one message (one read or datagram, or one framed
    /// message) from `from`. `count`: whether the rules' hits are counted
    /// (not for the test box).
    pub fn answer(&self, msg: &[u8], from: Option<&Addr>, count: bool) -> Vec<Outcome> {
        let mut out = Vec::new();
        let mut text: Option<String> = None;
        for r in &self.rules {
            let mut groups: Vec<Option<Vec<u8>>> = Vec::new();
            let matched = match &r.matcher {
                Matcher::Any => true,
                Matcher::Equals(b) => msg == b.as_slice(),
                Matcher::Contains(b) => msg.windows(b.len()).any(|w| w == b.as_slice()),
                Matcher::StartsWith(b) => msg.starts_with(b),
                Matcher::Pattern(p) => pattern_matches(p, msg),
                Matcher::Regex(re) => {
                    let t =
                        text.get_or_insert_with(|| decode_lossy(self.encoding, msg).into_owned());
                    match re.captures(t) {
                        Some(c) => {
                            if r.reply.as_ref().is_some_and(Template::uses_groups) {
                                groups = c
                                    .iter()
                                    .map(|g| g.map(|g| encode_lossy(self.encoding, g.as_str())))
                                    .collect();
                            }
                            true
                        }
                        None => false,
                    }
                }
            };
            if !matched || !from_matches(r.from.as_deref(), from) {
                continue;
            }
            if let Some((want, sum, order)) = r.check
                && sum.verify(msg, order) != (want == CheckWhen::Valid)
            {
                continue;
            }
            let seq = if count {
                r.hits.fetch_add(1, Ordering::Relaxed).saturating_add(1)
            } else {
                r.hits.load(Ordering::Relaxed).saturating_add(1)
            };
            let bytes = match &r.reply {
                Some(t) => t.expand(&Vars {
                    seq,
                    now: SystemTime::now(),
                    rx: msg,
                    groups: &groups,
                    peer: from,
                    encoding: self.encoding,
                }),
                None => Vec::new(),
            };
            out.push(Outcome {
                rule: r.index,
                bytes,
                delay: r.delay,
            });
            if self.mode == MatchMode::First {
                break;
            }
        }
        out
    }
}

/// Whether the sender passes a rule's sender filter: the address's text
/// equals it, or its IP does.
fn from_matches(filter: Option<&str>, from: Option<&Addr>) -> bool {
    let Some(f) = filter else { return true };
    let Some(a) = from else { return false };
    a.to_string() == f || a.ip().is_some_and(|ip| ip.ip().to_string() == f)
}

impl ReceiveHook for CompiledRules {
    fn on_receive(&mut self, rx: Received<'_>) -> Vec<Reply> {
        let to_reply = |o: Outcome| Reply {
            bytes: o.bytes,
            delay: o.delay,
        };
        if !rx.stream || self.framing == Framing::None {
            return self
                .answer(rx.bytes, rx.from, true)
                .into_iter()
                .filter(|o| !o.bytes.is_empty())
                .map(to_reply)
                .collect();
        }
        let framing = self.framing.clone();
        let deframer = self.deframers.entry(rx.socket).or_insert_with(|| {
            Deframer::new(framing).with_max_message_bytes(MAX_RULE_MESSAGE_BYTES)
        });
        let messages = match deframer.push(rx.bytes) {
            Ok(m) => m,
            Err(_) => {
                // A message too long for the rules: start afresh.
                deframer.reset();
                Vec::new()
            }
        };
        let mut replies = Vec::new();
        for m in messages {
            replies.extend(
                self.answer(&m.bytes, rx.from, true)
                    .into_iter()
                    .filter(|o| !o.bytes.is_empty())
                    .map(to_reply),
            );
        }
        replies
    }

    fn closed(&mut self, socket: SocketId) {
        self.deframers.remove(&socket);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rule(when: When, value: &str, reply: &str) -> Rule {
        Rule {
            when,
            value: value.to_string(),
            reply: reply.to_string(),
            ..Rule::default()
        }
    }

    fn set(rules: Vec<Rule>) -> RuleSet {
        RuleSet {
            on: true,
            rules,
            ..RuleSet::default()
        }
    }

    fn replies(s: &RuleSet, msg: &[u8]) -> Vec<(usize, Vec<u8>)> {
        s.compile(TextEncoding::Utf8)
            .unwrap()
            .answer(msg, None, true)
            .into_iter()
            .map(|o| (o.rule, o.bytes))
            .collect()
    }

    #[test]
    fn conditions() {
        let s = set(vec![
            rule(When::Equals, "ping", "pong"),
            rule(When::StartsWith, "GET ", "HTTP/1.0 200 OK\\r\\n\\r\\n"),
            rule(When::Contains, "\\x7F", "del"),
            Rule {
                value_mode: InputMode::Hex,
                ..rule(When::StartsWith, "AA 55", "hdr")
            },
            rule(When::Regex, r"^SET (\w+)=(\d+)$", "OK ${1} ${2}"),
            rule(When::HexPattern, "01 03 ?? ?? *", "modbus"),
        ]);
        assert_eq!(replies(&s, b"ping"), [(0, b"pong".to_vec())]);
        assert_eq!(replies(&s, b"pingx"), []);
        assert_eq!(replies(&s, b"GET / HTTP/1.0\r\n\r\n")[0].0, 1);
        assert_eq!(replies(&s, b"a\x7fb"), [(2, b"del".to_vec())]);
        assert_eq!(replies(&s, &[0xAA, 0x55, 1]), [(3, b"hdr".to_vec())]);
        assert_eq!(replies(&s, b"SET speed=42"), [(4, b"OK speed 42".to_vec())]);
        assert_eq!(replies(&s, &[1, 3, 0, 0]), [(5, b"modbus".to_vec())]);
        assert_eq!(replies(&s, &[1, 3, 0, 0, 0, 0x0A, 0xC5, 0xCD])[0].0, 5);
        assert_eq!(replies(&s, &[1, 3, 0]), []);
        assert_eq!(replies(&s, &[2, 3, 0, 0]), []);
    }

    #[test]
    fn first_match_or_all_and_hit_counts() {
        let mut s = set(vec![
            rule(When::Contains, "a", "1:${seq}"),
            rule(When::Any, "", "2:${seq}"),
            Rule {
                enabled: false,
                ..rule(When::Any, "", "off")
            },
        ]);
        let c = s.compile(TextEncoding::Utf8).unwrap();
        let b = |o: Vec<Outcome>| o.into_iter().map(|o| o.bytes).collect::<Vec<_>>();
        assert_eq!(b(c.answer(b"a", None, true)), [b"1:1".to_vec()]);
        assert_eq!(b(c.answer(b"b", None, true)), [b"2:1".to_vec()]);
        // The test box does not count.
        assert_eq!(b(c.answer(b"a", None, false)), [b"1:2".to_vec()]);
        assert_eq!(s.rules[0].hit_count(), 1);
        s.mode = MatchMode::All;
        let c = s.compile(TextEncoding::Utf8).unwrap();
        assert_eq!(
            b(c.answer(b"a", None, true)),
            [b"1:2".to_vec(), b"2:2".to_vec()]
        );
        assert_eq!(
            (
                s.rules[0].hit_count(),
                s.rules[1].hit_count(),
                s.rules[2].hit_count()
            ),
            (2, 2, 0)
        );
    }

    /// A Modbus request answered only when its CRC is right, a NAK
    /// otherwise; the reply gets its own CRC.
    #[test]
    fn checksums_checked_and_appended() {
        let s = set(vec![
            Rule {
                when: When::HexPattern,
                value: "01 03 *".into(),
                check: CheckWhen::Valid,
                reply: "01 03 02 00 2A".into(),
                reply_mode: InputMode::Hex,
                reply_checksum: Some(Checksum::Crc16Modbus),
                ..Rule::default()
            },
            Rule {
                check: CheckWhen::Invalid,
                reply: "NAK".into(),
                ..Rule::default()
            },
        ]);
        let good = [1, 3, 0, 0, 0, 0x0A, 0xC5, 0xCD];
        let r = replies(&s, &good);
        assert_eq!(r[0].0, 0);
        let mut expected = vec![1, 3, 2, 0, 0x2A];
        Checksum::Crc16Modbus.append(&mut expected, ByteOrder::Little);
        assert_eq!(r[0].1, expected);
        let mut bad = good;
        bad[7] ^= 1;
        assert_eq!(replies(&s, &bad), [(1, b"NAK".to_vec())]);
    }

    #[test]
    fn sender_filter_and_peer() {
        let s = set(vec![Rule {
            from: "127.0.0.2".into(),
            reply: "hi ${peer}".into(),
            ..Rule::default()
        }]);
        let c = s.compile(TextEncoding::Utf8).unwrap();
        let a = Addr::from("127.0.0.2:4000".parse::<std::net::SocketAddr>().unwrap());
        let b = Addr::from("127.0.0.3:4000".parse::<std::net::SocketAddr>().unwrap());
        assert_eq!(
            c.answer(b"x", Some(&a), false)[0].bytes,
            b"hi 127.0.0.2:4000"
        );
        assert!(c.answer(b"x", Some(&b), false).is_empty());
    }

    #[test]
    fn gbk_regex_captures() {
        let s = set(vec![rule(When::Regex, "温度(\\d+)", "收到${1}度")]);
        let c = s.compile(TextEncoding::Gbk).unwrap();
        let msg = crate::codec::text::encode(TextEncoding::Gbk, "温度25").unwrap();
        let expected = crate::codec::text::encode(TextEncoding::Gbk, "收到25度").unwrap();
        assert_eq!(c.answer(&msg, None, false)[0].bytes, expected);
    }

    #[test]
    fn framed_streams_match_whole_messages_per_connection() {
        let mut s = set(vec![rule(When::Equals, "hello", "world\\n")]);
        s.framing = Framing::Delimiter {
            delimiter: b"\n".to_vec(),
            keep_delimiter: false,
        };
        let mut c = s.compile(TextEncoding::Utf8).unwrap();
        let rx = |socket, bytes: &'static [u8]| Received {
            socket: SocketId(socket),
            bytes,
            from: None,
            stream: true,
        };
        assert!(c.on_receive(rx(1, b"hel")).is_empty());
        assert!(c.on_receive(rx(2, b"hello")).is_empty());
        let r = c.on_receive(rx(1, b"lo\nhello\nhel"));
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].bytes, b"world\n");
        assert_eq!(c.on_receive(rx(2, b"\n")).len(), 1);
        c.closed(SocketId(1));
        // A datagram is one message whatever the framing.
        let d = Received {
            stream: false,
            ..rx(3, b"hello")
        };
        assert_eq!(c.on_receive(d).len(), 1);
    }

    #[test]
    fn errors_name_the_rule_and_part() {
        let e = set(vec![Rule::default(), rule(When::Regex, "(", "")])
            .compile(TextEncoding::Utf8)
            .unwrap_err();
        assert_eq!((e.rule, e.part), (Some(1), RulePart::Condition));
        assert!(e.to_string().starts_with("rule 2, condition:"), "{e}");
        let e = set(vec![rule(When::HexPattern, "01 0", "")])
            .compile(TextEncoding::Utf8)
            .unwrap_err();
        assert!(e.message.contains("'0'"), "{e}");
        let e = set(vec![rule(When::HexPattern, "01 ZZ", "")])
            .compile(TextEncoding::Utf8)
            .unwrap_err();
        assert!(e.message.contains("ZZ"), "{e}");
        let e = set(vec![rule(When::Any, "", "${nope}")])
            .compile(TextEncoding::Utf8)
            .unwrap_err();
        assert_eq!(e.part, RulePart::Reply);
        let e = set(vec![Rule {
            delay_ms: 70_000,
            ..Rule::default()
        }])
        .compile(TextEncoding::Utf8)
        .unwrap_err();
        assert_eq!(e.part, RulePart::Delay);
        // A disabled rule is not read.
        assert!(
            set(vec![Rule {
                enabled: false,
                ..rule(When::Regex, "(", "")
            }])
            .compile(TextEncoding::Utf8)
            .is_ok()
        );
    }

    #[test]
    fn glob_patterns() {
        let p = |s| parse_pattern(s).unwrap();
        assert!(pattern_matches(&p("*"), b""));
        assert!(pattern_matches(&p("* 0A"), b"abc\n"));
        assert!(!pattern_matches(&p("* 0A"), b"abc"));
        assert!(pattern_matches(&p("61 * 63 * 65"), b"abxcdde"));
        assert!(!pattern_matches(&p("61 ?? 63"), b"ac"));
        assert!(pattern_matches(&p("0x61 ??63"), b"abc"));
    }

    proptest::proptest! {
        /// A pattern of the message's own bytes matches it, and `??`s of
        /// its length match it; one byte more or less does not.
        #[test]
        fn pattern_of_itself(msg in proptest::collection::vec(proptest::num::u8::ANY, 1..64)) {
            let exact: Vec<_> = msg.iter().map(|&b| PatternItem::Byte(b)).collect();
            proptest::prop_assert!(pattern_matches(&exact, &msg));
            let any = vec![PatternItem::AnyByte; msg.len()];
            proptest::prop_assert!(pattern_matches(&any, &msg));
            proptest::prop_assert!(!pattern_matches(&any[1..], &msg));
            let mut longer = msg.clone();
            longer.push(0);
            proptest::prop_assert!(!pattern_matches(&exact, &longer));
        }
    }
}
