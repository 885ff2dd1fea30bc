//! The auto-reply view: the selected socket's reply rules (for a listener,
//! they answer every client), their hit counts, and a test box that shows
//! which rule answers given bytes and with what, without sending anything.

use std::collections::{BTreeMap, HashMap};

use eframe::egui::{self, RichText};

use crate::codec::checksum::{ByteOrder, Checksum};
use crate::codec::compose::{InputMode, LineEnding, build_payload};
use crate::codec::hex::format_hex;
use crate::codec::text::{TextEncoding, decode_display};
use crate::engine::SocketId;
use crate::i18n::{tr, trf};
use crate::model::Model;
use crate::rules::{CheckWhen, MatchMode, Rule, RuleSet, When, framing_choices, framing_label};

use super::{Action, error_color, labelled_combo_salted};

/// The auto-reply view's state: every socket's rules and the test box.
#[derive(Debug, Default)]
pub struct RulesState {
    /// Each socket's rules.
    pub sets: BTreeMap<SocketId, RuleSet>,
    /// Why a socket's rules are not running, if they cannot.
    pub errors: HashMap<SocketId, String>,
    /// The encoding each socket's rules were last compiled with.
    pub compiled_with: HashMap<SocketId, TextEncoding>,
    /// The test box's input.
    pub test_input: String,
    /// How the test box's input is read.
    pub test_mode: InputMode,
}

impl RulesState {
    /// Whether a socket's rules are on and running.
    pub fn running(&self, id: SocketId) -> bool {
        self.sets.get(&id).is_some_and(|s| s.on) && !self.errors.contains_key(&id)
    }
}

/// A checksum choice's name, or "none".
fn checksum_name(c: Option<Checksum>) -> &'static str {
    c.map_or(tr("none"), Checksum::label)
}

/// Draws the selected socket's rules; returns [`Action::ApplyRules`] when
/// they changed.
pub fn rules_ui(
    ui: &mut egui::Ui,
    model: &Model,
    state: &mut RulesState,
    selected: Option<SocketId>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let Some(s) = selected.and_then(|id| model.sessions.get(&id)) else {
        ui.label(RichText::new(tr("Select a socket on the left to give it reply rules.")).weak());
        return actions;
    };
    let id = s.id;
    let encoding = s.encoding;
    ui.heading(trf("Auto-reply on {socket}", &[("socket", &s.title())]));
    if s.kind.is_listener() {
        ui.label(tr("A listener's rules answer every client it accepted."));
    } else if let Some(p) = s.parent.filter(|p| state.running(*p)) {
        ui.label(trf(
            "Its listener {listener}'s rules answer it unless it has rules of its own.",
            &[("listener", &p)],
        ));
    }
    if s.state.is_closed() {
        ui.label(RichText::new(tr("This socket is closed: its rules no longer run.")).weak());
    }
    let set = state.sets.entry(id).or_default();
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        changed |= ui
            .checkbox(&mut set.on, tr("Reply automatically"))
            .changed();
        if ui
            .button(tr("Echo"))
            .on_hover_text(tr("One rule: answer everything with the bytes received"))
            .clicked()
        {
            // Alone it answers everything; after other rules, what they
            // leave.
            if set.rules.is_empty() {
                *set = RuleSet::echo();
            } else {
                set.rules.push(Rule::echo());
                set.on = true;
            }
            changed = true;
        }
        if ui.button(tr("Add rule")).clicked() {
            set.rules.push(Rule::default());
            set.on = true;
            changed = true;
        }
    });
    ui.horizontal_wrapped(|ui| {
        changed |= labelled_combo_salted(
            ui,
            "rules-mode",
            tr("Answer with"),
            &mut set.mode,
            &MatchMode::ALL,
            MatchMode::label,
        )
        .changed();
        let l = ui.label(tr("A condition sees"));
        let mut framing = set.framing.clone();
        egui::ComboBox::from_id_salt("rules-framing")
            .selected_text(framing_label(&framing))
            .show_ui(ui, |ui| {
                for f in framing_choices() {
                    let name = framing_label(&f);
                    ui.selectable_value(&mut framing, f, name);
                }
            })
            .response
            .labelled_by(l.id);
        if framing != set.framing {
            set.framing = framing;
            changed = true;
        }
    });
    ui.label(
        RichText::new(trf(
            "Conditions match {unit}. Text is read and written in {encoding} (the socket's encoding).",
            &[("unit", &set.unit()), ("encoding", &encoding)],
        ))
        .small()
        .weak(),
    );
    if let Some(e) = state.errors.get(&id) {
        ui.colored_label(
            error_color(ui),
            trf("Rules not running: {error}", &[("error", e)]),
        );
    }
    ui.separator();
    let mut remove = None;
    let mut swap = None;
    let count = set.rules.len();
    for (i, rule) in set.rules.iter_mut().enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            let (c, act) = rule_ui(ui, i, count, rule);
            changed |= c;
            match act {
                Some(RuleAct::Remove) => remove = Some(i),
                Some(RuleAct::Up) => swap = Some((i - 1, i)),
                Some(RuleAct::Down) => swap = Some((i, i + 1)),
                None => {}
            }
        });
    }
    if let Some(i) = remove {
        set.rules.remove(i);
        changed = true;
    }
    if let Some((a, b)) = swap {
        set.rules.swap(a, b);
        changed = true;
    }
    if set.rules.is_empty() {
        ui.label(
            RichText::new(tr(
                "No rules. Echo answers everything with what arrived; Add rule makes one of your own.",
            ))
            .weak(),
        );
    }
    ui.separator();
    test_box_ui(ui, state, id, encoding);
    if changed {
        actions.push(Action::ApplyRules(id));
    }
    actions
}

/// What a rule's buttons asked for.
enum RuleAct {
    Remove,
    Up,
    Down,
}

/// Draws one rule; returns whether it changed and what its buttons asked.
fn rule_ui(ui: &mut egui::Ui, i: usize, count: usize, r: &mut Rule) -> (bool, Option<RuleAct>) {
    let n = i + 1;
    let mut changed = false;
    let mut act = None;
    let salt = |what: &str| format!("rule-{i}-{what}");
    ui.horizontal_wrapped(|ui| {
        changed |= ui
            .checkbox(
                &mut r.enabled,
                RichText::new(trf("Rule {n}", &[("n", &n)])).strong(),
            )
            .on_hover_text(tr("Tried when ticked"))
            .changed();
        ui.label(trf("{hits} hits", &[("hits", &r.hit_count())]));
        if i > 0 && ui.small_button("↑").on_hover_text(tr("Move up")).clicked() {
            act = Some(RuleAct::Up);
        }
        if i + 1 < count
            && ui
                .small_button("↓")
                .on_hover_text(tr("Move down"))
                .clicked()
        {
            act = Some(RuleAct::Down);
        }
        if ui
            .small_button(trf("Delete rule {n}", &[("n", &n)]))
            .clicked()
        {
            act = Some(RuleAct::Remove);
        }
    });
    ui.horizontal_wrapped(|ui| {
        changed |= labelled_combo_salted(
            ui,
            &salt("when"),
            tr("When the message"),
            &mut r.when,
            &When::ALL,
            When::label,
        )
        .changed();
        if r.when != When::Any {
            let hint = match r.when {
                When::HexPattern => "01 03 ?? ?? *",
                When::Regex => "^SET (\\w+)=(\\d+)",
                _ => "",
            };
            let l = ui.label(trf("Rule {n} value", &[("n", &n)]));
            changed |= ui
                .add(
                    egui::TextEdit::singleline(&mut r.value)
                        .hint_text(hint)
                        .desired_width(220.0)
                        .font(egui::TextStyle::Monospace),
                )
                .labelled_by(l.id)
                .changed();
        }
        if r.when.takes_bytes() {
            changed |= labelled_combo_salted(
                ui,
                &salt("value-mode"),
                tr("as"),
                &mut r.value_mode,
                &InputMode::ALL,
                InputMode::label,
            )
            .changed();
        }
    });
    ui.horizontal_wrapped(|ui| {
        changed |= labelled_combo_salted(
            ui,
            &salt("check"),
            tr("Checksum at its end"),
            &mut r.check,
            &CheckWhen::ALL,
            CheckWhen::label,
        )
        .changed();
        if r.check != CheckWhen::Ignore {
            changed |= labelled_combo_salted(
                ui,
                &salt("check-sum"),
                tr("algorithm"),
                &mut r.check_sum,
                &Checksum::ALL,
                Checksum::label,
            )
            .changed();
            changed |= labelled_combo_salted(
                ui,
                &salt("check-order"),
                tr("order"),
                &mut r.check_order,
                &ByteOrder::ALL,
                ByteOrder::label,
            )
            .changed();
        }
        let l = ui.label(tr("Only from"));
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut r.from)
                    .hint_text(tr("anyone"))
                    .desired_width(150.0),
            )
            .labelled_by(l.id)
            .changed();
    });
    ui.horizontal_wrapped(|ui| {
        let l = ui.label(trf("Rule {n} reply", &[("n", &n)]));
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut r.reply)
                    .hint_text(tr("e.g. OK ${seq}\\r\\n or 06 ${rx:0:2}"))
                    .desired_width(260.0)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(l.id)
            .changed();
        changed |= labelled_combo_salted(
            ui,
            &salt("reply-mode"),
            tr("as"),
            &mut r.reply_mode,
            &InputMode::ALL,
            InputMode::label,
        )
        .changed();
        if r.reply_mode == InputMode::Text {
            changed |= labelled_combo_salted(
                ui,
                &salt("reply-le"),
                tr("Line ending"),
                &mut r.reply_line_ending,
                &LineEnding::ALL,
                LineEnding::label,
            )
            .changed();
        }
    });
    ui.horizontal_wrapped(|ui| {
        let choices: Vec<Option<Checksum>> = std::iter::once(None)
            .chain(Checksum::ALL.into_iter().map(Some))
            .collect();
        let before = r.reply_checksum;
        changed |= labelled_combo_salted(
            ui,
            &salt("reply-sum"),
            tr("Append checksum"),
            &mut r.reply_checksum,
            &choices,
            checksum_name,
        )
        .changed();
        if let Some(c) = r.reply_checksum {
            if before != r.reply_checksum {
                r.reply_order = c.usual_order();
            }
            changed |= labelled_combo_salted(
                ui,
                &salt("reply-order"),
                tr("order"),
                &mut r.reply_order,
                &ByteOrder::ALL,
                ByteOrder::label,
            )
            .changed();
        }
        let l = ui.label(tr("Delay (ms)"));
        changed |= ui
            .add(egui::DragValue::new(&mut r.delay_ms).range(0..=crate::rules::MAX_DELAY_MS))
            .labelled_by(l.id)
            .changed();
    });
    (changed, act)
}

/// The test box: bytes in → which rule → bytes out, nothing sent.
fn test_box_ui(ui: &mut egui::Ui, state: &mut RulesState, id: SocketId, encoding: TextEncoding) {
    ui.label(RichText::new(tr("Test the rules (nothing is sent)")).strong());
    ui.horizontal_wrapped(|ui| {
        let l = ui.label(tr("Test input"));
        ui.add(
            egui::TextEdit::singleline(&mut state.test_input)
                .desired_width(260.0)
                .font(egui::TextStyle::Monospace),
        )
        .labelled_by(l.id);
        labelled_combo_salted(
            ui,
            "rules-test-mode",
            tr("as"),
            &mut state.test_mode,
            &InputMode::ALL,
            InputMode::label,
        );
    });
    if state.test_input.is_empty() {
        return;
    }
    let Some(set) = state.sets.get(&id) else {
        return;
    };
    let input = match build_payload(
        &state.test_input,
        state.test_mode,
        encoding,
        LineEnding::None,
        true,
    ) {
        Ok(b) => b,
        Err(e) => {
            ui.colored_label(error_color(ui), e.to_string());
            return;
        }
    };
    let compiled = match set.compile(encoding) {
        Ok(c) => c,
        Err(e) => {
            ui.colored_label(error_color(ui), e.to_string());
            return;
        }
    };
    let outcomes = compiled.answer(&input, None, false);
    if outcomes.is_empty() {
        ui.label(trf(
            "{n} bytes in: no rule matches, nothing would be sent",
            &[("n", &input.len())],
        ));
    }
    for o in outcomes {
        let text = if o.bytes.is_empty() {
            tr("matches; its reply is empty, nothing is sent").to_string()
        } else {
            trf(
                "{n} bytes out: {hex}  ({text})",
                &[
                    ("n", &o.bytes.len()),
                    ("hex", &format_hex(&o.bytes)),
                    ("text", &decode_display(encoding, &o.bytes)),
                ],
            )
        };
        let after = if o.delay.is_zero() {
            String::new()
        } else {
            trf(", after {ms} ms", &[("ms", &o.delay.as_millis())])
        };
        ui.label(trf(
            "Rule {n} answers{after}: {text}",
            &[("n", &(o.rule + 1)), ("after", &after), ("text", &text)],
        ));
    }
}
