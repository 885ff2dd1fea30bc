//! Fonts: the bundled CJK font, so that Chinese text shows on every machine.
//!
//! egui's default fonts (Ubuntu-Light, Hack and egui's icon font) cover Latin, Greek and
//! Cyrillic only. [`install`] adds [`CJK_FONT`], WenQuanYi Micro Hei cut down to the characters
//! that GBK can encode (about 22,000 characters, 3 MB; see `assets/fonts/README.md`, licence
//! Apache-2.0 in `assets/fonts/LICENSE-wqy-microhei.txt`), as the last font of the
//! Proportional and Monospace families. `tools/subset-font.sh` regenerates it.
//!
//! How this interacts with eframe's `system_fonts` feature: with that feature (on in our
//! `Cargo.toml`) and `NativeOptions::system_font_fallback` left at its default `true`, eframe's
//! native integration calls `Context::add_font_provider` with an
//! `egui_system_font_provider::SystemFontProvider` when it creates the window, before it runs the
//! app creator. That provider installs nothing up front: epaint asks it only for a character that
//! no installed font of the family has, and it then uses fontique (fontconfig on Linux) to find a
//! system font for that character, memory-maps it, and appends it to the family's fallback chain,
//! after every configured font. A font added with `Context::add_font` is a configured font, so
//! once [`install`] has run, every character of the bundled font is drawn with it on every machine
//! (an installed Noto Sans CJK is not used for those), and the system is asked only for what
//! neither egui's fonts nor ours have: Hangul, Arabic, CJK Extension A, emoji and the like, which
//! still show where the machine has a font for them and are boxes ("tofu") where it has none. The
//! two do not conflict, and it does not matter whether [`install`] runs before or after eframe
//! adds the provider. A bare `egui::Context` and `egui_kittest`'s harness have no system font
//! provider at all, so there the bundled font is all that stands between Chinese text and a
//! missing glyph, which `egui_kittest` turns into a panic (`MissingGlyphPolicy::Panic`).

use eframe::egui;

/// The bundled font bytes: WenQuanYi Micro Hei, cut down to the GBK repertoire.
pub static CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei-gbk.ttf");

/// The name under which [`install`] adds [`CJK_FONT`] to egui's font definitions.
pub const CJK_FONT_NAME: &str = "wqy-microhei-gbk";

/// Adds the bundled CJK font as a fallback to the Proportional and Monospace families of `ctx`,
/// after egui's default fonts (so Latin text keeps egui's look), keeping whatever else is
/// installed (system fonts from eframe's `system_fonts` feature).
///
/// Call it once when the app starts, e.g. in the `eframe` app creator with `&cc.egui_ctx`, and in
/// test harnesses. Calling it again does nothing harmful. The font takes effect at the start of
/// the next pass, or at once if no text has been laid out yet in this one. A later
/// `Context::set_fonts` replaces all font definitions, this font among them: call [`install`]
/// again after it.
pub fn install(ctx: &egui::Context) {
    let families = [egui::FontFamily::Proportional, egui::FontFamily::Monospace]
        .into_iter()
        .map(|family| egui::InsertFontFamily {
            family,
            priority: egui::FontPriority::Lowest,
        })
        .collect();
    ctx.add_font(egui::FontInsert::new(
        CJK_FONT_NAME,
        egui::FontData::from_static(CJK_FONT),
        families,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Characters the source font lacks, so the bundled subset lacks them too, although
    /// `encoding_rs` decodes GBK bytes to them (see `assets/fonts/README.md`). The last six
    /// the source font maps to empty glyphs; the subset leaves them out so that a system
    /// font (or egui's replacement box) shows them instead of a blank.
    const KNOWN_GAPS: &str = "ǹɑɡ☉⺁⺄⺈⺋⺌⺗⺧⺪⺮⺳⺶⺷⺻⻊⿰⿱⿲⿳⿴⿵⿶⿷⿸⿹⿺⿻〾\
        㑇㑳㖞㘎㘚㤘㥮㧏㧐㧟㩳㭎㱮㳠䁖䅟䌷䎬䎱䏝䓖䙌䙡䜣䜩䝼䞍䥇䥺䥽䦂䦃䦅䦆䦛䦟䦶䦷䱷䲟䲠䲡䲢䲣\
        䴓䴔䴕䴖䴗䴘䴙䶮︐︑︒︓︔︕︖︗︘︙\
        ℃℉ⅤⅩˊˋ";

    /// Common and rare characters of GBK: 丂 (the first code, 81 40), 齄 (the last of GB2312,
    /// F7 FE), 龥 (the last unified ideograph, FD 9B), the compatibility ideographs 兀 and 﨎
    /// (FE 40, FE 42), kana, bopomofo, box drawing, Cyrillic, fullwidth forms, and the € and ḿ
    /// that `encoding_rs` decodes from 80 and A8 BC.
    const PROBE: &str = "你好世界测试繁體丂亐冂匸卣鼷齄龥兀﨎〇ぁァㄅⅰ①┼Я！＄～€ḿ";

    /// A context like `egui_kittest`'s: no system font provider, and a missing glyph panics.
    fn context_with_cjk_font() -> egui::Context {
        let ctx = egui::Context::default();
        ctx.set_missing_glyph_policy(egui::MissingGlyphPolicy::Panic);
        install(&ctx);
        ctx
    }

    fn run_frame(ctx: &egui::Context, mut ui_fn: impl FnMut(&mut egui::Ui)) {
        ctx.run_ui(egui::RawInput::default(), |ui| {
            egui::CentralPanel::default().show(ui, |ui| ui_fn(ui));
        })
        .drop_without_applying_deltas();
    }

    #[test]
    fn chinese_label_renders_without_missing_glyphs() {
        let ctx = context_with_cjk_font();
        // Would panic on any glyph that no installed font has:
        run_frame(&ctx, |ui| {
            ui.label("你好，世界 GBK 测试：繁體?");
            ui.monospace("十六进制 48 65 6C 6C 6F → 你好");
            ui.label(PROBE);
        });
    }

    #[test]
    fn bare_context_lacks_chinese() {
        let ctx = egui::Context::default();
        run_frame(&ctx, |_| {});
        let font_id = egui::FontId::proportional(14.0);
        assert!(!ctx.fonts_mut(|fonts| fonts.has_glyph(&font_id, '你')));
    }

    #[test]
    fn bundled_font_comes_after_egui_fonts() {
        let ctx = context_with_cjk_font();
        run_frame(&ctx, |_| {});
        ctx.fonts_mut(|fonts| {
            for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
                let chain = fonts.definitions().families[&family].clone();
                assert_eq!(chain.last().map(String::as_str), Some(CJK_FONT_NAME));
                assert!(chain.len() > 1, "egui's own fonts are kept: {chain:?}");

                let characters = fonts.characters(&family);
                let first_font = |c: char| characters.get(&c).and_then(|names| names.first());
                assert_eq!(first_font('A'), Some(&chain[0]), "Latin keeps egui's font");
                assert_eq!(
                    first_font('你').map(String::as_str),
                    Some(CJK_FONT_NAME),
                    "in {family:?}"
                );
            }
        });
    }

    #[test]
    fn probe_characters_have_visible_glyphs() {
        let ctx = context_with_cjk_font();
        run_frame(&ctx, |_| {});
        let font_id = egui::FontId::proportional(14.0);
        ctx.fonts_mut(|fonts| {
            for c in PROBE.chars() {
                assert!(fonts.has_glyph(&font_id, c), "no glyph for {c:?}");
            }
            let galley =
                fonts.layout_no_wrap(PROBE.to_owned(), font_id.clone(), egui::Color32::WHITE);
            let glyphs = galley.rows.iter().flat_map(|row| &row.row.glyphs);
            for glyph in glyphs {
                assert!(
                    !glyph.uv_rect.is_nothing(),
                    "empty outline for {:?}",
                    glyph.chr
                );
            }
        });
    }

    /// Every character that `encoding_rs` decodes a two-byte GBK code to has a glyph,
    /// except the few the source font lacks.
    #[test]
    fn covers_what_encoding_rs_decodes_from_gbk() {
        let ctx = context_with_cjk_font();
        run_frame(&ctx, |_| {});
        let font_id = egui::FontId::proportional(14.0);
        let mut decoded = 0_usize;
        let mut missing = Vec::new();
        ctx.fonts_mut(|fonts| {
            for lead in 0x81_u8..=0xFE {
                for trail in (0x40_u8..=0xFE).filter(|&b| b != 0x7F) {
                    let bytes = [lead, trail];
                    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
                    let mut chars = text.chars();
                    let (Some(c), None, false) = (chars.next(), chars.next(), had_errors) else {
                        continue;
                    };
                    if ('\u{E000}'..='\u{F8FF}').contains(&c) {
                        continue; // user-defined area: private use
                    }
                    decoded += 1;
                    if !fonts.has_glyph(&font_id, c) {
                        missing.push(c);
                    }
                }
            }
        });
        assert!(decoded > 21_800, "only {decoded} characters decoded");
        let unexpected: String = missing
            .iter()
            .filter(|c| !KNOWN_GAPS.contains(**c))
            .collect();
        assert!(unexpected.is_empty(), "no glyph for {unexpected}");
        assert!(missing.len() <= KNOWN_GAPS.chars().count());
    }
}
