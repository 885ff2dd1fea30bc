#!/usr/bin/env bash
# Regenerates the lesson screenshots in screenshots/ from the real window
# under Xvfb, in English and in 简体中文:
#   bash tools/lesson-screenshots.sh
# The scene is the README's one-minute lesson: a listener and a client;
# the lab's framing set to a 4-byte length prefix; reading paused on the
# accepted connection while the client sends "hello" three times with the
# header, then resumed, so one recv() returns the three sends. For the
# lesson shots, the accepted connection keeps its side open and the client
# half-closes, so the connection sits in CLOSE_WAIT.
# Needs ../shared/tools/screenshot.sh (it installs Xvfb and xdotool).
set -euo pipefail
cd "$(dirname "$0")/.."
shot=${SCREENSHOT_TOOL:-../shared/tools/screenshot.sh}
cargo build --release
bin=${CARGO_TARGET_DIR:-target}/release/sockbench

# Clicks at 1280x800 in English; the language is switched last, so every
# position is the English layout's.
# The composer: Times x3, "hello" in the payload, Ctrl+Enter sends.
hello_x3='mousemove --window %W 1231 719 click 1
sleep 0.3
key ctrl+a
type 3
key Return
sleep 0.3
mousemove --window %W 800 700 click 1
sleep 0.3
type --delay 20 hello
key ctrl+Return'

scene=$(mktemp)
cat >"$scene" <<'KEYS'
windowfocus --sync %W
sleep 1
# the lab tab; select the accepted connection (#3); framing: length prefix
mousemove --window %W 797 44 click 1
sleep 0.5
mousemove --window %W 140 276 click 1
sleep 0.5
mousemove --window %W 515 164 click 1
sleep 0.5
mousemove --window %W 465 237 click 1
sleep 0.4
# Pause reading on #3, then select the client (#2)
mousemove --window %W 403 132 click 1
sleep 0.4
mousemove --window %W 100 312 click 1
sleep 1
# composer: add the lab's framing, x3, "hello", send
mousemove --window %W 376 661 click 1
sleep 0.3
KEYS
cat >>"$scene" <<<"$hello_x3"
cat >>"$scene" <<'KEYS'
sleep 0.8
# select #3 again and Resume reading: one recv() holds the three sends
mousemove --window %W 140 276 click 1
sleep 0.8
mousemove --window %W 403 132 click 1
sleep 1.2
KEYS

close_wait=$(mktemp)
cat "$scene" >"$close_wait"
cat >>"$close_wait" <<'KEYS'
# calls & states: #3 stays open; #2 stays open and half-closes
mousemove --window %W 622 44 click 1
sleep 1
mousemove --window %W 362 315 click 1
sleep 0.5
mousemove --window %W 100 312 click 1
sleep 1
mousemove --window %W 362 297 click 1
sleep 0.4
mousemove --window %W 486 320 click 1
sleep 0.8
mousemove --window %W 140 276 click 1
sleep 1.2
KEYS

python=$(mktemp)
cat "$scene" >"$python"
cat >>"$python" <<'KEYS'
mousemove --window %W 704 44 click 1
sleep 0.3
mousemove --window %W 100 312 click 1
sleep 1
KEYS

# The lessons panel, started with --lesson sticky, walked to step 4: Pause
# reading, the client sends "hello" x3, Resume reading.
lessons=$(mktemp)
cat >"$lessons" <<'KEYS'
windowfocus --sync %W
sleep 1.5
mousemove --window %W 403 147 click 1
sleep 0.5
mousemove --window %W 1019 445 click 1
sleep 0.5
KEYS
cat >>"$lessons" <<<"$hello_x3"
cat >>"$lessons" <<'KEYS'
sleep 0.8
mousemove --window %W 1033 516 click 1
sleep 0.5
mousemove --window %W 403 147 click 1
sleep 1.2
KEYS

take() { # OUT KEYS [zh]
  local keys=$2
  if [ "${3:-}" = zh ]; then
    keys=$(mktemp)
    cat "$2" >"$keys"
    printf '%s\n' "mousemove --window %W 550 12 click 1" "sleep 0.5" \
      "mousemove --window %W 543 63 click 1" "sleep 1" >>"$keys"
  fi
  local port=$((20000 + RANDOM % 20000))
  local args=(--open "tcp-listen:127.0.0.1:$port" --open "tcp-connect:127.0.0.1:$port")
  [ "$2" = "$lessons" ] && args=(--lesson sticky)
  # A fresh settings directory each time: the clicks assume the defaults.
  "$shot" "$1" --wait 2 --keys "$keys" -- env XDG_DATA_HOME="$(mktemp -d)" \
    "$bin" "${args[@]}"
}

take screenshots/lab.png "$scene"
take screenshots/lab-zh.png "$scene" zh
take screenshots/lesson.png "$close_wait"
take screenshots/lesson-zh.png "$close_wait" zh
take screenshots/python.png "$python"
take screenshots/python-zh.png "$python" zh
take screenshots/lessons.png "$lessons"
take screenshots/lessons-zh.png "$lessons" zh
rm -f "$scene" "$close_wait" "$python" "$lessons"

# UDP in the lab: a socket reading recv(8); a python3 sender's three
# datagrams, the last longer than 8 bytes, cut (its whole size from the
# kernel, MSG_TRUNC).
port=$((20000 + RANDOM % 20000))
udp=$(mktemp)
cat >"$udp" <<'KEYS'
windowfocus --sync %W
sleep 1
mousemove --window %W 797 44 click 1
sleep 0.5
mousemove --window %W 120 240 click 1
sleep 3
KEYS
(sleep 4; python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(m, ('127.0.0.1', $port)) for m in (b'one', b'two', b'a longer datagram, cut')]") &
"$shot" screenshots/udp-lab.png --wait 2 --keys "$udp" -- env XDG_DATA_HOME="$(mktemp -d)" \
  "$bin" --open "udp:127.0.0.1:$port,recv=8"
rm -f "$udp"
