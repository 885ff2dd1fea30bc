#!/usr/bin/env bash
# Regenerates assets/fonts/wqy-microhei-gbk.ttf: WenQuanYi Micro Hei (the proportional face of
# Debian's fonts-wqy-microhei) cut to the characters that GBK can encode.
#
# Usage: bash tools/subset-font.sh
#
# Idempotent: it installs only what is missing (Debian's fonts-wqy-microhei, fonttools from
# PyPI), and writes the same bytes on every run for the same versions of those two, since
# fonttools keeps the source font's timestamps. It checks the coverage of the result and
# fails if a character of the repertoire that the source font has got lost.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/assets/fonts/wqy-microhei-gbk.ttf"
SRC=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
FONTTOOLS_VERSION=4.68.0

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -f "$SRC" ]; then
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-wqy-microhei
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-pip
fi
if ! python3 -c "import sys, fontTools; sys.exit(fontTools.version != '$FONTTOOLS_VERSION')" 2>/dev/null; then
    python3 -m pip install --quiet "fonttools==$FONTTOOLS_VERSION" ||
        python3 -m pip install --quiet --break-system-packages "fonttools==$FONTTOOLS_VERSION"
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# The repertoire, one U+XXXX a line.
python3 - "$TMP/unicodes.txt" "$SRC" <<'PY'
import sys
import unicodedata
from fontTools.ttLib import TTFont

chars = set()
for lead in range(0x81, 0xFF):
    for trail in range(0x40, 0xFF):
        if trail == 0x7F:
            continue
        code = bytes([lead, trail])
        # Every character GBK can encode…
        try:
            chars.add(ord(code.decode("gbk")))
        except UnicodeDecodeError:
            pass
        # …and what GB18030 puts at the same two-byte codes: the WHATWG "gbk" decoder that
        # encoding_rs (and so Sockbench) uses decodes GBK bytes this way, e.g. A8BF to U+01F9.
        try:
            text = code.decode("gb18030")
            if len(text) == 1 and not 0xE000 <= ord(text) <= 0xF8FF:
                chars.add(ord(text))
        except UnicodeDecodeError:
            pass
for first, last in [
    (0x0020, 0x007E),  # printable ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x1E3F, 0x1E3F),  # ḿ, at A8BC in GB18030-2005 and encoding_rs
    (0x2000, 0x206F),  # General Punctuation
    (0x20AC, 0x20AC),  # €, byte 80 in Windows code page 936 and encoding_rs
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0x9FB4, 0x9FBB),  # ideographs GB18030-2005 moved out of the private use area
    (0xFE10, 0xFE1F),  # Vertical Forms, likewise
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
]:
    chars.update(range(first, last + 1))

# The source font maps a few characters (e.g. U+2103 ℃, the pinyin ǎ ǐ ǒ ǔ) to empty
# glyphs. Leave those out, so that they fall back to another font, or at worst show
# egui's replacement box: a blank would hide the character.
source = TTFont(sys.argv[2], fontNumber=0)
glyf, cmap = source["glyf"], source.getBestCmap()
def blank(c):
    name = cmap.get(c)
    if name is None or glyf[name].numberOfContours != 0:
        return False
    return unicodedata.category(chr(c)) not in ("Zs", "Cf", "Cc")
dropped = sorted(c for c in chars if blank(c))
print("left out (empty in the source font): " + " ".join(f"U+{c:04X}" for c in dropped))
chars.difference_update(dropped)

with open(sys.argv[1], "w") as out:
    out.writelines(f"U+{c:04X}\n" for c in sorted(chars))
PY

# Face 0 of the collection is "WenQuanYi Micro Hei" (face 1 is its Mono twin).
# Hinting goes (egui does its own), and so do the OpenType layout tables and the vertical
# metrics, which egui does not use for Chinese text.
python3 -m fontTools.subset "$SRC" \
    --font-number=0 \
    --unicodes-file="$TMP/unicodes.txt" \
    --no-hinting \
    --layout-features='' \
    --drop-tables+=FFTM,GDEF,GPOS,GSUB,vhea,vmtx \
    --name-IDs='*' \
    --name-languages='*' \
    --output-file="$TMP/subset.ttf"

# Say in the font itself that it was changed (Apache-2.0, section 4(b)), and check its coverage.
python3 - "$SRC" "$TMP/subset.ttf" "$TMP/unicodes.txt" "$TMP/out.ttf" <<'PY'
import sys
from fontTools.ttLib import TTFont

src_path, subset_path, unicodes_path, out_path = sys.argv[1:]
NOTICE = (
    "Subset of WenQuanYi Micro Hei 0.2.0-beta to the GBK repertoire, without hinting or "
    "OpenType layout tables, made by the Sockbench project (tools/subset-font.sh)."
)

font = TTFont(subset_path, recalcTimestamp=False)
name = font["name"]
description = name.getDebugName(10) or ""
if NOTICE not in description:
    name.setName((description + " " + NOTICE).strip(), 10, 3, 1, 0x409)
font.save(out_path)

wanted = [int(line[2:], 16) for line in open(unicodes_path)]
source = TTFont(src_path, fontNumber=0, lazy=True).getBestCmap()
result = TTFont(out_path, lazy=True)
cmap = result.getBestCmap()
lost = [c for c in wanted if c in source and c not in cmap]
absent = [c for c in wanted if c not in source and chr(c).isprintable() and not chr(c).isspace()]
if lost:
    sys.exit(f"lost in subsetting: {' '.join(f'U+{c:04X}' for c in lost)}")
print(f"repertoire: {len(wanted)} code points; mapped in the result: {len(cmap)}; "
      f"glyphs: {result['maxp'].numGlyphs}")
print(f"not in the source font either ({len(absent)}): {''.join(chr(c) for c in absent)}")
probe = "你好世界测试繁體丂亐冂匸卣龥鼷齄ḿ€、。，：；！？（）《》【】“”…—　"
missing = [c for c in probe if ord(c) not in cmap]
if missing:
    sys.exit(f"probe characters missing: {''.join(missing)}")
print(f"probe characters present: {probe}")
PY

mkdir -p "$(dirname "$OUT")"
if [ -f "$OUT" ] && cmp -s "$TMP/out.ttf" "$OUT"; then
    echo "$OUT is up to date"
else
    cp "$TMP/out.ttf" "$OUT"
    echo "wrote $OUT"
fi
ls -l "$OUT"
sha256sum "$OUT"
