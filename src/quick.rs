//! Quick send: a named list of payloads, each sent in one click or every
//! N ms, and sequences of them with a delay after each step. Payloads are
//! templates (see [`crate::codec::template`]); the list is remembered
//! between runs.

use std::time::Duration;

use crate::codec::checksum::{ByteOrder, Checksum};
use crate::codec::compose::{InputMode, LineEnding};
use crate::codec::template::{Form, Scope, Template, TemplateError, Vars};
use crate::codec::text::TextEncoding;
use crate::i18n::trf;

/// The most steps one sequence has.
pub const MAX_STEPS: usize = 256;
/// The longest delay after a step.
pub const MAX_STEP_DELAY_MS: u32 = 3_600_000;
/// Periodic-send slots of quick-send items start here (slot 0 is the
/// composer's).
pub const FIRST_SLOT: u32 = 1;
/// The periodic-send slot of the composer's slow sender (a payload a few
/// bytes per `send()`).
pub const SLOW_SLOT: u32 = u32::MAX;

/// One saved payload.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct QuickItem {
    /// A stable number, which names its periodic-send slot.
    pub id: u32,
    /// What the button says.
    pub name: String,
    /// The template.
    pub text: String,
    /// Text or hex.
    pub mode: InputMode,
    /// The encoding of text; `None`: the socket's.
    pub encoding: Option<TextEncoding>,
    /// Appended to text.
    pub line_ending: LineEnding,
    /// Appended last, covering everything before it.
    pub checksum: Option<Checksum>,
    /// The checksum's byte order.
    pub order: ByteOrder,
    /// The period of its periodic send, in milliseconds.
    pub every_ms: u32,
    /// Sends made by clicking, this run (its `${seq}`).
    #[serde(skip)]
    pub clicks: u64,
}

impl Default for QuickItem {
    fn default() -> Self {
        QuickItem {
            id: 0,
            name: String::new(),
            text: String::new(),
            mode: InputMode::Text,
            encoding: None,
            line_ending: LineEnding::None,
            checksum: None,
            order: ByteOrder::Big,
            every_ms: 1000,
            clicks: 0,
        }
    }
}

impl QuickItem {
    /// The item read as a template, its text in `socket_encoding` unless
    /// it names its own.
    pub fn template(&self, socket_encoding: TextEncoding) -> Result<Template, TemplateError> {
        Template::parse(&self.text, self.form(socket_encoding), Scope::Send)
    }

    /// How its text is read.
    pub fn form(&self, socket_encoding: TextEncoding) -> Form {
        Form {
            mode: self.mode,
            encoding: self.encoding.unwrap_or(socket_encoding),
            line_ending: self.line_ending,
            escapes: true,
            checksum: self.checksum.map(|c| (c, self.order)),
        }
    }

    /// The periodic-send slot its "every N ms" runs in.
    pub fn slot(&self) -> u32 {
        FIRST_SLOT.saturating_add(self.id)
    }

    /// The bytes of its next click (and counts the click).
    pub fn click(&mut self, socket_encoding: TextEncoding) -> Result<Vec<u8>, TemplateError> {
        let t = self.template(socket_encoding)?;
        self.clicks += 1;
        Ok(t.expand(&Vars::send(
            self.clicks,
            self.encoding.unwrap_or(socket_encoding),
        )))
    }
}

/// One step of a sequence.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Step {
    /// The item's name.
    pub item: String,
    /// How long to wait after it before the next step.
    pub delay_ms: u32,
}

/// A named list of steps.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Sequence {
    /// Its name.
    pub name: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// The quick-send list and its sequences.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct QuickSend {
    /// The items.
    pub items: Vec<QuickItem>,
    /// The sequences.
    pub sequences: Vec<Sequence>,
}

impl Default for QuickSend {
    /// Two examples to start from: a line of text numbered by `${seq}`, and
    /// a Modbus request with its CRC.
    fn default() -> Self {
        QuickSend {
            items: vec![
                QuickItem {
                    id: 0,
                    name: "PING".into(),
                    text: "PING ${seq}".into(),
                    line_ending: LineEnding::CrLf,
                    ..QuickItem::default()
                },
                QuickItem {
                    id: 1,
                    name: "Modbus read".into(),
                    text: "01 03 00 00 00 0A".into(),
                    mode: InputMode::Hex,
                    checksum: Some(Checksum::Crc16Modbus),
                    order: ByteOrder::Little,
                    ..QuickItem::default()
                },
            ],
            sequences: Vec::new(),
        }
    }
}

/// Why a sequence cannot run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SequenceError {
    /// A step names no item.
    #[error("{}", trf("step {n}: there is no item named \"{name}\"", &[("n", &(.step + 1)), ("name", .name)]))]
    NoItem {
        /// Which step (0-based).
        step: usize,
        /// The name it gives.
        name: String,
    },
    /// A step's item cannot be read.
    #[error("{}", trf("step {n} ({name}): {error}", &[("n", &(.step + 1)), ("name", .name), ("error", .error)]))]
    Item {
        /// Which step (0-based).
        step: usize,
        /// The item's name.
        name: String,
        /// What is wrong.
        error: TemplateError,
    },
    /// No steps, or too many.
    #[error("{}", trf("a sequence has 1 to {max} steps", &[("max", &MAX_STEPS)]))]
    Steps,
}

impl QuickSend {
    /// A fresh id for a new item.
    pub fn next_id(&self) -> u32 {
        self.items.iter().map(|i| i.id + 1).max().unwrap_or(0)
    }

    /// Gives items that share an id (a hand-edited settings file) fresh
    /// ones, so each has a periodic-send slot of its own.
    pub fn fix_ids(&mut self) {
        let mut seen = std::collections::HashSet::new();
        let mut next = self.next_id();
        for item in &mut self.items {
            if !seen.insert(item.id) {
                item.id = next;
                seen.insert(next);
                next += 1;
            }
        }
    }

    /// The bytes of each step of sequence `seq` and when to send it (from
    /// now), the items read in `socket_encoding`. Each step's `${seq}` is
    /// its item's next click; macros are filled in at the start.
    pub fn plan(
        &mut self,
        seq: &Sequence,
        socket_encoding: TextEncoding,
    ) -> Result<Vec<(Vec<u8>, Duration)>, SequenceError> {
        if seq.steps.is_empty() || seq.steps.len() > MAX_STEPS {
            return Err(SequenceError::Steps);
        }
        // Check every step before counting any click.
        for (i, step) in seq.steps.iter().enumerate() {
            let item = self
                .items
                .iter()
                .find(|it| it.name == step.item)
                .ok_or_else(|| SequenceError::NoItem {
                    step: i,
                    name: step.item.clone(),
                })?;
            item.template(socket_encoding)
                .map_err(|error| SequenceError::Item {
                    step: i,
                    name: step.item.clone(),
                    error,
                })?;
        }
        let mut at = Duration::ZERO;
        let mut out = Vec::with_capacity(seq.steps.len());
        for step in &seq.steps {
            if let Some(item) = self.items.iter_mut().find(|it| it.name == step.item)
                && let Ok(bytes) = item.click(socket_encoding)
            {
                out.push((bytes, at));
            }
            at += Duration::from_millis(u64::from(step.delay_ms.min(MAX_STEP_DELAY_MS)));
        }
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_make_what_they_say() {
        let mut q = QuickSend::default();
        assert_eq!(q.items[0].click(TextEncoding::Utf8).unwrap(), b"PING 1\r\n");
        assert_eq!(q.items[0].click(TextEncoding::Utf8).unwrap(), b"PING 2\r\n");
        assert_eq!(
            q.items[1].click(TextEncoding::Utf8).unwrap(),
            [1, 3, 0, 0, 0, 0x0A, 0xC5, 0xCD]
        );
        assert_ne!(q.items[0].slot(), q.items[1].slot());
        assert_ne!(q.items[0].slot(), 0);
    }

    #[test]
    fn items_use_the_sockets_encoding_unless_they_name_one() {
        let mut it = QuickItem {
            text: "心跳".into(),
            ..QuickItem::default()
        };
        assert_eq!(
            it.click(TextEncoding::Gbk).unwrap(),
            [0xD0, 0xC4, 0xCC, 0xF8]
        );
        it.encoding = Some(TextEncoding::Utf8);
        assert_eq!(it.click(TextEncoding::Gbk).unwrap(), "心跳".as_bytes());
    }

    #[test]
    fn a_sequence_plans_its_steps_and_checks_them_first() {
        let mut q = QuickSend::default();
        let seq = Sequence {
            name: "s".into(),
            steps: vec![
                Step {
                    item: "PING".into(),
                    delay_ms: 100,
                },
                Step {
                    item: "Modbus read".into(),
                    delay_ms: 50,
                },
                Step {
                    item: "PING".into(),
                    delay_ms: 0,
                },
            ],
        };
        let plan = q.plan(&seq, TextEncoding::Utf8).unwrap();
        let at: Vec<u128> = plan.iter().map(|(_, d)| d.as_millis()).collect();
        assert_eq!(at, [0, 100, 150]);
        assert_eq!(plan[0].0, b"PING 1\r\n");
        assert_eq!(plan[2].0, b"PING 2\r\n");
        let bad = Sequence {
            name: "b".into(),
            steps: vec![
                Step {
                    item: "PING".into(),
                    delay_ms: 0,
                },
                Step {
                    item: "nope".into(),
                    delay_ms: 0,
                },
            ],
        };
        let e = q.plan(&bad, TextEncoding::Utf8).unwrap_err();
        assert!(e.to_string().contains("step 2"), "{e}");
        assert_eq!(q.items[0].clicks, 2, "a refused sequence counts no click");
        assert_eq!(
            q.plan(&Sequence::default(), TextEncoding::Utf8),
            Err(SequenceError::Steps)
        );
    }

    #[test]
    fn duplicate_ids_are_made_unique() {
        let mut q = QuickSend::default();
        q.items[1].id = 0;
        q.fix_ids();
        assert_ne!(q.items[0].id, q.items[1].id);
    }
}
