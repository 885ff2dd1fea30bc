#!/usr/bin/env bash
# Regenerates screenshots/ from the real window under Xvfb:
#   bash tools/screenshots.sh
# Needs ../shared/tools/screenshot.sh (it installs Xvfb and xdotool) and
# python3 for a small loopback peer that sends some traffic.
set -euo pipefail
cd "$(dirname "$0")/.."
shot=${SCREENSHOT_TOOL:-../shared/tools/screenshot.sh}
cargo build --release
port=$((20000 + RANDOM % 20000))

# A device-like peer: connects to the listener, sends a few lines (one in
# GBK, one with bytes that are not text), and echoes what it receives.
python3 - "$port" <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
deadline = time.time() + 20
while time.time() < deadline:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit(0)
s.settimeout(0.5)
for payload in [b"HELLO from device 7\r\n", "温度=23.5℃ 湿度=41%\r\n".encode("gbk"),
                b"\x02\x00\x10STATUS\xff\xfe\x03", b"READY\r\n"]:
    s.sendall(payload)
    time.sleep(0.3)
end = time.time() + 12
while time.time() < end:
    try:
        data = s.recv(1024)
        if not data:
            break
        s.sendall(b"ECHO " + data)
    except socket.timeout:
        pass
    except OSError:
        break
PY
peer=$!

keys=$(mktemp)
cat >"$keys" <<KEYS
windowfocus --sync %W
sleep 2.5
# select the device's connection (#4) in the sidebar, then the payload box
mousemove --window %W 120 312 click 1
sleep 0.5
mousemove --window %W 800 ${PAYLOAD_Y:-700} click 1
type --delay 15 PING\r\n
key ctrl+Return
sleep 0.5
key ctrl+a
type --delay 15 STATUS?\\r\\n
key ctrl+Return
sleep 1
KEYS
# A fresh settings directory: the clicks assume the defaults.
"$shot" screenshots/workbench.png --wait 2 --keys "$keys" -- \
  env XDG_DATA_HOME="$(mktemp -d)" "${CARGO_TARGET_DIR:-target}/release/sockbench" --encoding gbk --open "tcp-listen:127.0.0.1:$port" --open "tcp-connect:127.0.0.1:$port"
rm -f "$keys"
kill "$peer" 2>/dev/null || true

# Unix sockets: a stream listener and a client on a path in a temporary
# directory; the form shows the Unix socket kind; the client's calls.
dir=$(mktemp -d)
keys=$(mktemp)
cat >"$keys" <<'KEYS'
windowfocus --sync %W
sleep 1.5
# the form's Unix socket kind
mousemove --window %W 67 84 click 1
sleep 0.4
# the client (#2): send a line, then show its calls
mousemove --window %W 100 ${UNIX_CLIENT_Y:-407} click 1
sleep 0.4
mousemove --window %W 800 700 click 1
type --delay 15 hello
key space
type --delay 15 from
key space
type --delay 15 AF_UNIX\r\n
key ctrl+Return
sleep 0.5
mousemove --window %W 622 44 click 1
sleep 1
KEYS
"$shot" screenshots/unix.png --wait 2 --keys "$keys" -- \
  env XDG_DATA_HOME="$(mktemp -d)" "${CARGO_TARGET_DIR:-target}/release/sockbench" \
  --open "unix-listen:$dir/demo.sock" --open "unix-connect:$dir/demo.sock"
rm -rf "$keys" "$dir"

# The engineer's tools, from a workspace: a listener whose reply rules
# answer a Modbus read (valid CRC only) and a greeting, in GBK; a device-
# like peer sends frames every 250 ms. Shots: the Auto-reply tab with the
# quick-send panel, the Statistics tab of the connection, the Export window.
port=$((20000 + RANDOM % 20000))
ws_dir=$(mktemp -d)
cat >"$ws_dir/lab.toml" <<WS
version = 1
display_encoding = "Gbk"

[[sockets]]
spec = "tcp-listen:127.0.0.1:$port,backlog=128"
encoding = "Gbk"

[sockets.rules]
on = true
mode = "First"
framing = "None"

[[sockets.rules.rules]]
when = "HexPattern"
value = "01 03 ?? ?? ?? ?? *"
value_mode = "Hex"
check = "Valid"
check_sum = "Crc16Modbus"
check_order = "Little"
reply = "01 03 04 00 \${seq:u8} 00 2A"
reply_mode = "Hex"
reply_checksum = "Crc16Modbus"
reply_order = "Little"

[[sockets.rules.rules]]
when = "Regex"
value = "^HELLO (\\\\w+)"
reply = "HI \${1}, 第 \${seq} 次\\\\r\\\\n"
WS
cat >"$ws_dir/peer.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
deadline = time.time() + 20
while time.time() < deadline:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1); break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit(0)
s.settimeout(0.5)
frames = [bytes.fromhex("01 03 00 00 00 0A C5 CD"), b"HELLO device7\r\n", bytes.fromhex("01 03 00 00 00 0A 00 00"), "心跳\r\n".encode("gbk")]
end = time.time() + 14
i = 0
while time.time() < end:
    s.sendall(frames[i % len(frames)]); i += 1
    try: s.recv(1024)
    except socket.timeout: pass
    time.sleep(0.25)
PY
tools_shot() {
  local out=$1 keys=$2
  python3 "$ws_dir/peer.py" "$port" 2>/dev/null &
  local peer=$!
  "$shot" "$out" --wait 1 --keys "$keys" -- \
    env XDG_DATA_HOME="$(mktemp -d)" "${CARGO_TARGET_DIR:-target}/release/sockbench" --workspace "$ws_dir/lab.toml"
  kill "$peer" 2>/dev/null || true
  wait "$peer" 2>/dev/null || true
}
cat >"$ws_dir/k-rules" <<'KEYS'
windowfocus --sync %W
sleep 3
# the Auto-reply tab, then the quick-send panel
mousemove --window %W 454 44 click 1
sleep 0.3
mousemove --window %W 682 12 click 1
sleep 1.5
KEYS
tools_shot screenshots/tools.png "$ws_dir/k-rules"
cat >"$ws_dir/k-stats" <<'KEYS'
windowfocus --sync %W
sleep 2
# the connection (#2), then the Statistics tab
mousemove --window %W 135 276 click 1
sleep 0.3
mousemove --window %W 534 44 click 1
sleep 5
KEYS
tools_shot screenshots/stats.png "$ws_dir/k-stats"
cat >"$ws_dir/k-export" <<'KEYS'
windowfocus --sync %W
sleep 2
# the log toolbar's Export the log…
mousemove --window %W 1095 76 click 1
sleep 0.5
KEYS
tools_shot screenshots/export.png "$ws_dir/k-export"
rm -rf "$ws_dir"
