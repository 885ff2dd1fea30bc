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
mousemove --window %W 800 ${PAYLOAD_Y:-697} click 1
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
mousemove --window %W 800 697 click 1
type --delay 15 hello
key space
type --delay 15 from
key space
type --delay 15 AF_UNIX\r\n
key ctrl+Return
sleep 0.5
mousemove --window %W 462 44 click 1
sleep 1
KEYS
"$shot" screenshots/unix.png --wait 2 --keys "$keys" -- \
  env XDG_DATA_HOME="$(mktemp -d)" "${CARGO_TARGET_DIR:-target}/release/sockbench" \
  --open "unix-listen:$dir/demo.sock" --open "unix-connect:$dir/demo.sock"
rm -rf "$keys" "$dir"
