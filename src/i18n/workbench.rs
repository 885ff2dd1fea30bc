//! Chinese for the workbench: the window, the socket form, the socket
//! list, the log and the composer.

/// English → 简体中文.
pub(super) const ZH: &[(&str, &str)] = &[
    ("Destination path", "目标路径"),
    (
        "Give a destination (Send to), or open the socket with a default peer; nothing was sent.",
        "请填写目标地址（发送到），或打开套接字时设置默认对端；未发送任何数据。",
    ),
    ("Unix socket", "Unix 套接字"),
    ("Open Unix socket", "打开 Unix 套接字"),
    ("Listen", "监听"),
    ("Connect", "连接"),
    ("Datagrams", "数据报"),
    ("/tmp/demo.sock or @name", "/tmp/demo.sock 或 @名字"),
    ("optional, e.g. /tmp/other.sock", "可选，如 /tmp/other.sock"),
    ("Remove a stale socket file", "删除残留的套接字文件"),
    (
        "If the path is a socket file nothing listens on (left by a program that ended), remove it before bind(). A file that is not a socket is never removed.",
        "如果该路径是一个没有程序在监听的套接字文件（由已结束的程序留下），先删除它再 bind()。不是套接字的文件永远不会被删除。",
    ),
    (
        "AF_UNIX: a socket on this machine named by a file path (or @name: a Linux abstract name, no file). Sockbench removes the socket file it made when the socket closes.",
        "AF_UNIX：本机上的套接字，用文件路径命名（或 @名字：Linux 抽象名字，没有文件）。套接字关闭时，Sockbench 会删除它创建的套接字文件。",
    ),
    (
        "Remove the stale socket file and open again",
        "删除残留的套接字文件并重新打开",
    ),
    ("Path", "路径"),
    (
        "an abstract name needs a name after the @, like @demo",
        "抽象名字在 @ 后面要有名字，如 @demo",
    ),
    (
        "the path is empty: give a file path like /tmp/demo.sock, or @name for an abstract name",
        "路径为空：请填写文件路径，如 /tmp/demo.sock，或用 @名字 表示抽象名字",
    ),
    (
        "a path cannot hold a NUL character; for an abstract name write @name",
        "路径里不能有 NUL 字符；抽象名字请写成 @名字",
    ),
    (
        "{input} has a broken escape: after @ write \\xNN for a byte, \\\\ for a backslash",
        "{input} 的转义不完整：@ 之后用 \\xNN 表示一个字节，用 \\\\ 表示反斜杠",
    ),
    (
        "{input} is {n} bytes; a Unix socket address holds at most {max}",
        "{input} 有 {n} 字节；Unix 套接字地址最多 {max} 字节",
    ),
    (
        "reading again: recv() is called",
        "重新开始读取：调用 recv()",
    ),
    (
        "reading paused: recv() is not called; what arrives waits in the kernel",
        "暂停读取：不调用 recv()；到达的数据留在内核缓冲区里",
    ),
    (
        "reading paused for {ms} ms: recv() is not called; what arrives waits in the kernel",
        "暂停读取 {ms} 毫秒：不调用 recv()；到达的数据留在内核缓冲区里",
    ),
    // The examples in this module's documentation.
    ("{n} bytes", "{n} 字节"),
    (
        "unknown encoding '{s}': use utf-8, gbk, gb18030, big5, shift_jis or latin1",
        "不认识的编码 '{s}'：可用 utf-8、gbk、gb18030、big5、shift_jis 或 latin1",
    ),
    (
        "unknown lesson '{s}': use {names}",
        "没有名为 '{s}' 的课程：可用 {names}",
    ),
    ("{peer} · {n} bytes", "{peer} · {n} 字节"),
    // The window (app.rs).
    ("Language", "语言"),
    ("Display encoding for new sockets", "新套接字的显示编码"),
    ("Dismiss", "知道了"),
    ("Open a socket", "打开套接字"),
    ("Sockets", "套接字列表"),
    ("Display as", "显示编码"),
    (
        "Open a TCP listener, a TCP client or a UDP socket on the left; \
         everything sent and received appears here.",
        "在左侧打开 TCP 监听、TCP 客户端或 UDP 套接字，收发的数据都会显示在这里。",
    ),
    (
        "Capture stopped: writing failed: {error}",
        "抓包已停止：写入文件失败：{error}",
    ),
    ("Could not open {spec}: {error}", "无法打开 {spec}：{error}"),
    (
        "{n} older closed connections removed (at most {max} closed ones are kept)",
        "已移除 {n} 个较早关闭的连接（最多保留 {max} 个已关闭的）",
    ),
    ("done", "完成"),
    ("Every (ms)", "间隔（毫秒）"),
    (
        "The period of a periodic send, 1 ms at least",
        "定时发送的间隔，至少 1 毫秒",
    ),
    ("Count (0: until stopped)", "次数（0：直到停止）"),
    ("Stop periodic send", "停止定时发送"),
    ("Start periodic send", "开始定时发送"),
    (
        "every {ms} ms: {sent} sent, {rate}/s, {missed} ticks missed",
        "每 {ms} 毫秒：已发送 {sent} 次，{rate} 次/秒，错过 {missed} 次",
    ),
    ("stopped", "已停止"),
    ("the socket closed", "套接字已关闭"),
    (
        "the send queue is full: the peer is not reading",
        "发送队列已满：对端没有在读取",
    ),
    ("the socket cannot send now", "该套接字现在无法发送"),
    (
        "periodic send ended ({why}): {sent} sent, {missed} ticks missed, {rate}/s",
        "定时发送结束（{why}）：已发送 {sent} 次，错过 {missed} 次，{rate} 次/秒",
    ),
    ("sending every {ms} ms", "每 {ms} 毫秒发送一次"),
    (
        "Closed a while ago: only its counters and newest socket calls are kept",
        "关闭已久：只保留了计数和最近的套接字调用",
    ),
    // Socket kinds, states and why they closed.
    ("TCP listener", "TCP 监听"),
    ("TCP client", "TCP 客户端"),
    ("TCP connection", "TCP 连接"),
    ("UDP socket", "UDP 套接字"),
    ("opening", "打开中"),
    ("resolving", "解析中"),
    ("connecting", "连接中"),
    ("listening", "监听中"),
    ("connected", "已连接"),
    ("bound", "已绑定"),
    ("closed", "已关闭"),
    ("closed by you", "用户主动关闭"),
    ("reset by you (SO_LINGER 0)", "用户主动重置（SO_LINGER 0）"),
    ("peer closed the connection", "对端关闭了连接"),
    ("its listener was closed", "所属监听已关闭"),
    ("Sockbench shut down", "Sockbench 已退出"),
    // The open-a-socket form.
    ("Open TCP listener", "开始监听"),
    ("Open TCP client", "连接"),
    ("Open UDP socket", "打开 UDP"),
    ("Bind address", "绑定地址"),
    ("127.0.0.1 (this machine only)", "127.0.0.1（仅本机）"),
    ("0.0.0.0 (all IPv4 interfaces)", "0.0.0.0（所有 IPv4 网卡）"),
    (
        ":: (all interfaces, IPv6 + IPv4)",
        "::（所有网卡，IPv6 + IPv4）",
    ),
    ("::1 (IPv6 loopback)", "::1（IPv6 回环）"),
    ("Other address…", "其他地址…"),
    ("Other bind address", "其他绑定地址"),
    ("e.g. 192.168.1.10", "如 192.168.1.10"),
    ("Port", "端口"),
    ("0 = any free", "0 = 任意空闲"),
    (
        "Lets the port be bound again at once after a close (TIME_WAIT)",
        "关闭后可立即重新绑定该端口（不必等 TIME_WAIT 结束）",
    ),
    ("Host", "主机"),
    ("name or address", "主机名或地址"),
    ("Default peer", "默认对端"),
    ("optional, e.g. 127.0.0.1:9001", "可选，如 127.0.0.1:9001"),
    ("Receive size", "接收大小"),
    ("Peer", "对端"),
    // What is wrong with a field, shown under it.
    (
        "{input} is {n} characters long, far too long for a {field}",
        "{input} 长达 {n} 个字符，“{field}”不可能这么长",
    ),
    ("{input} is not a whole number", "{input} 不是整数"),
    ("{input} is not a number", "{input} 不是数字"),
    (
        "{input} opens a bracket but does not close it",
        "{input} 的方括号没有闭合",
    ),
    (
        "{input} is not an IPv4 address: it has four numbers from 0 to 255, like 192.168.1.20",
        "{input} 不是有效的 IPv4 地址：应为四个 0 到 255 的数，如 192.168.1.20",
    ),
    ("{field} is empty", "“{field}”不能为空"),
    (
        "ports go from 1 to 65535 (0 picks a free one)",
        "端口范围为 1 到 65535（0 表示自动选一个空闲端口）",
    ),
    ("ports go from 1 to 65535", "端口范围为 1 到 65535"),
    (
        "{input} is not a port: {range}",
        "{input} 不是有效端口：{range}",
    ),
    (
        "0 is not a port you can send or connect to: {range}",
        "不能向端口 0 发送或连接：{range}",
    ),
    ("Port is empty", "端口不能为空"),
    (
        "Bind address is empty: type 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)",
        "绑定地址不能为空：填 127.0.0.1（仅本机）或 0.0.0.0（所有网卡）",
    ),
    (
        "{input} has a space in it; an IP address has none",
        "{input} 含有空格；IP 地址中不能有空格",
    ),
    (
        "{input} has a port in it: type only the address here",
        "{input} 带了端口：这里只填地址",
    ),
    (
        "{input} puts an IPv4 address in brackets; brackets are only for IPv6",
        "{input} 把 IPv4 地址放进了方括号；方括号只用于 IPv6",
    ),
    (
        "{input} has a zone (%…); zones of link-local IPv6 addresses are not supported",
        "{input} 带有区域标识（%…）；不支持链路本地 IPv6 地址的区域标识",
    ),
    (
        "bind needs an IP address of this machine, not a host name ({input}); try 127.0.0.1 or 0.0.0.0",
        "bind 需要本机的 IP 地址，不能用主机名（{input}）；可填 127.0.0.1 或 0.0.0.0",
    ),
    (
        "{field} needs an IP address, not a host name ({input}); only localhost is understood",
        "“{field}”需要填 IP 地址，不能用主机名（{input}）；主机名只认 localhost",
    ),
    ("{input} is not an IP address", "{input} 不是有效的 IP 地址"),
    (
        "{input} has no port: write it as {address}:PORT",
        "{input} 缺少端口：应写成 {address}:端口",
    ),
    (
        "{input} has something other than :PORT after the ]",
        "{input} 的 ] 后面只能跟 :端口",
    ),
    (
        "{input} has no port: write it as ADDRESS:PORT, like {example}",
        "{input} 缺少端口：应写成“地址:端口”，如 {example}",
    ),
    (
        "{input} has no port: an IPv6 address goes in brackets before the port, like [::1]:9000",
        "{input} 缺少端口：IPv6 地址要放在方括号里，后面再接端口，如 [::1]:9000",
    ),
    (
        "{input} is not ADDRESS:PORT; an IPv6 address goes in brackets, like [::1]:9000",
        "{input} 不是“地址:端口”格式；IPv6 地址要放在方括号里，如 [::1]:9000",
    ),
    (
        "{input} has no port after the colon",
        "{input} 的冒号后面缺少端口",
    ),
    (
        "the port in {input}: {problem}",
        "{input} 中的端口：{problem}",
    ),
    (
        "{input} is {n} characters long; a host name has at most {max}",
        "{input} 长达 {n} 个字符；主机名最多 {max} 个字符",
    ),
    (
        "{input} has a port in it: type the port in the Port field",
        "{input} 带了端口：请把端口填在“端口”栏",
    ),
    (
        "Host is empty: type a name like example.com or an address like 127.0.0.1",
        "主机不能为空：填主机名（如 example.com）或地址（如 127.0.0.1）",
    ),
    (
        "{input} has a space in it; a host name has none",
        "{input} 含有空格；主机名中不能有空格",
    ),
    (
        "{input} is not an IPv6 address (brackets are only for IPv6)",
        "{input} 不是有效的 IPv6 地址（方括号只用于 IPv6）",
    ),
    (
        "{input} is not a host name or an IP address",
        "{input} 既不是主机名也不是 IP 地址",
    ),
    (
        "{input} has {character} in it; a host name has only letters, digits, '-', '.' and '_'",
        "{input} 含有 {character}；主机名只能由字母、数字、'-'、'.' 和 '_' 组成",
    ),
    (
        "{input} has an empty part between dots",
        "{input} 中两个点之间是空的",
    ),
    (
        "{input} has a part longer than {max} characters between dots",
        "{input} 中有一段（点与点之间）超过 {max} 个字符",
    ),
    (
        "{input} has a part that starts or ends with '-'",
        "{input} 中有一段以 '-' 开头或结尾",
    ),
    (
        "{input} is out of range: the {field} goes from {min} to {max} ({usual})",
        "{input} 超出范围：“{field}”的取值范围是 {min} 到 {max}（{usual}）",
    ),
    ("128 is usual; empty means 128", "通常为 128，留空即 128"),
    (
        "empty means 65536, enough for any datagram",
        "留空即 65536，足以容纳任何数据报",
    ),
    (
        "bind :: (or ::1) to talk IPv6",
        "要用 IPv6 通信请绑定 ::（或 ::1）",
    ),
    (
        "bind 0.0.0.0 (or 127.0.0.1) to talk IPv4",
        "要用 IPv4 通信请绑定 0.0.0.0（或 127.0.0.1）",
    ),
    (
        "peer {peer} is {peer_family} but the socket is bound to an {bound_family} address; {hint}",
        "对端 {peer} 是 {peer_family} 地址，但套接字绑定的是 {bound_family} 地址；{hint}",
    ),
    // The log.
    ("Show", "显示"),
    ("Text", "文本"),
    ("Hex", "十六进制"),
    ("Text + hex", "文本 + 十六进制"),
    ("Auto-scroll", "自动滚动"),
    ("Only selected socket", "只看选中的套接字"),
    ("Counts only", "只计数"),
    (
        "Stop storing payloads (counters and control rows go on); for floods",
        "不再保存数据内容（计数和控制行照常记录）；用于大流量时",
    ),
    ("Log cap (MiB)", "日志上限（MiB）"),
    (
        "The oldest rows are evicted (and counted) beyond this",
        "超过上限时淘汰最早的行（并计数）",
    ),
    ("Clear log", "清空日志"),
    (
        "{rows} rows · {used} of {cap}",
        "{rows} 行 · 已用 {used} / {cap}",
    ),
    (
        "{rows} oldest rows evicted ({bytes})",
        "已淘汰最早的 {rows} 行（{bytes}）",
    ),
    (
        "{rows} data rows counted only",
        "{rows} 条数据行只计数未保存",
    ),
    ("Time", "时间"),
    ("Socket", "套接字"),
    ("Event", "事件"),
    ("Bytes", "字节数"),
    ("Data", "数据"),
    ("{n} (truncated)", "{n}（已截断）"),
    ("… +{n} bytes", "… 另有 {n} 字节"),
    ("open", "打开"),
    ("accepted", "已接入"),
    ("sent", "发送"),
    ("received", "接收"),
    ("drops", "丢包"),
    ("peer closed", "对端关闭"),
    ("failed", "失败"),
    // The composer.
    ("None", "无"),
    // The socket details, the composer and the log rows.
    (
        "; the last {n} received byte(s) ({hex}) never completed a character",
        "；最后收到的 {n} 个字节（{hex}）没有组成完整字符",
    ),
    (
        "; {n} queued bytes were not sent",
        "；排队中的 {n} 字节未发出",
    ),
    ("Accepted by", "接受自"),
    ("Add the lab's framing", "加上实验室的分帧"),
    ("Clear", "清空"),
    ("Clients", "客户端"),
    ("Close", "关闭"),
    ("Disconnect", "断开"),
    ("Encoding", "编码"),
    ("Escapes", "转义"),
    ("Framing: {e}", "分帧：{e}"),
    (
        "Give a destination (Send to), or open the UDP socket with a default peer; nothing was sent.",
        "请填写目标地址，或在打开 UDP 套接字时指定默认对端；未发送任何数据。",
    ),
    ("Half-close", "半关闭"),
    (
        "Hex bytes: 48 65 6C, 48656c or 0x48,0x65. Ctrl+Enter sends",
        "十六进制字节：48 65 6C、48656c 或 0x48,0x65。Ctrl+Enter 发送",
    ),
    ("Kernel drops", "内核丢弃"),
    ("Line ending", "行尾"),
    ("Local", "本地地址"),
    (
        "No sockets yet: open one above.",
        "还没有套接字：请在上方打开一个。",
    ),
    (
        "Nothing to send: the payload is empty.",
        "没有可发送的内容：数据为空。",
    ),
    (
        "Pack values with a Python struct format, e.g. !HI10s with 1, 2, b'hello'",
        "用 Python struct 格式打包数值，例如 !HI10s 配 1, 2, b'hello'",
    ),
    ("Payload", "发送内容"),
    (
        "Put the length header (or the delimiter) chosen in the sticky-packet lab around each payload",
        "给每条数据加上粘包实验室中选定的报头（或分隔符）",
    ),
    ("Received", "已接收"),
    ("Remove", "移除"),
    ("Reset", "复位"),
    (
        "SO_LINGER 0 then close(): the peer sees a reset (RST)",
        "先设 SO_LINGER 0 再 close()：对端收到复位（RST）",
    ),
    (
        "Select a socket in the list on the left to send to.",
        "请在左侧列表中选择要发送的套接字。",
    ),
    ("Send", "发送"),
    (
        "Send this many copies back-to-back, each its own send() call",
        "连续发送这么多份，每份一次 send() 调用",
    ),
    ("Send to: (select a socket)", "发送到：（请选择套接字）"),
    (
        "Send to: all {n} clients of {id}",
        "发送到：{id} 的全部 {n} 个客户端",
    ),
    ("Send to: {socket}", "发送到：{socket}"),
    ("Sent", "已发送"),
    (
        "Socket {id} is gone; select another.",
        "套接字 {id} 已不存在；请另选一个。",
    ),
    ("State", "状态"),
    ("Stop listening", "停止监听"),
    ("Struct", "结构体"),
    ("Struct format", "struct 格式"),
    ("Struct format: {e}", "struct 格式：{e}"),
    ("TCP_NODELAY off", "TCP_NODELAY 关"),
    ("TCP_NODELAY on", "TCP_NODELAY 开"),
    (
        "Text to send. Ctrl+Enter sends; ↑/↓ recall history",
        "要发送的文本。Ctrl+Enter 发送；↑/↓ 调出历史",
    ),
    ("Times", "次数"),
    ("Truncated", "被截断"),
    ("UDP destination", "UDP 目标地址"),
    (
        "Values, comma-separated: 1, 2, b'hello'. Ctrl+Enter sends",
        "数值，用逗号分隔：1, 2, b'hello'。Ctrl+Enter 发送",
    ),
    ("Values: {e}", "数值：{e}"),
    (
        "\\r \\n \\t \\\\ \\0 and \\xNN (a raw byte)",
        "\\r \\n \\t \\\\ \\0 以及 \\xNN（一个原始字节）",
    ),
    (
        "accepted by {parent} on {local}",
        "由 {parent} 在 {local} 上接受",
    ),
    (
        "bound to {local}; receive buffer {n} bytes; {drops}",
        "已绑定 {local}；接收缓冲区 {n} 字节；{drops}",
    ),
    (
        "close() the listener and every connection it accepted",
        "close() 监听套接字及其接受的所有连接",
    ),
    (
        "close(): finish queued sends, then close",
        "close()：先发完排队的数据，再关闭",
    ),
    ("closed after the error above", "因上述错误而关闭"),
    ("closed: {reason}", "已关闭：{reason}"),
    ("closes as soon as the peer closes", "对端关闭时立即关闭"),
    ("connected from {local}", "已连接，本地地址 {local}"),
    ("(unnamed)", "（未命名）"),
    ("connected, our side shut down", "已连接，本端已关闭写"),
    (
        "connected, peer closed its side",
        "已连接，对方已关闭写（本端仍可发送）",
    ),
    ("connecting to {peer}", "正在连接 {peer}"),
    ("default peer", "默认对端"),
    (
        "each recv() now asks for {n} bytes",
        "此后每次 recv() 请求 {n} 字节",
    ),
    (
        "in {bytes_in} / {msgs_in} · out {bytes_out} / {msgs_out}",
        "收 {bytes_in} / {msgs_in} · 发 {bytes_out} / {msgs_out}",
    ),
    ("kernel drops counted", "统计内核丢包"),
    (
        "kernel drops not counted on this system",
        "本系统不统计内核丢包",
    ),
    (
        "listening on {local} (backlog {backlog})",
        "正在监听 {local}（backlog {backlog}）",
    ),
    ("not counted on this system", "本系统不统计"),
    ("open {spec}", "打开 {spec}"),
    (
        "peer closed its side (recv returned 0)",
        "对方关闭了连接（recv 返回 0）",
    ),
    ("resolving \"{host}\"", "正在解析“{host}”"),
    ("set", "设置"),
    (
        "shutdown(SHUT_WR): FIN sent; still receiving",
        "shutdown(SHUT_WR)：已发送 FIN；仍在接收",
    ),
    (
        "shutdown(SHUT_WR): send FIN, keep receiving",
        "shutdown(SHUT_WR)：发送 FIN，继续接收",
    ),
    (
        "stays open when the peer closes (CLOSE_WAIT) until you close it",
        "对端关闭后保持打开（CLOSE_WAIT），直到你关闭它",
    ),
    (
        "the kernel dropped {total} datagram(s) so far: the receive buffer was full",
        "内核至今已丢弃 {total} 个数据报：接收缓冲区已满",
    ),
    ("{bytes} in {n} datagrams", "{bytes}，共 {n} 个数据报"),
    ("{bytes} in {n} reads", "{bytes}，共 {n} 次读取"),
    ("{bytes} in {n} sends", "{bytes}，共 {n} 次发送"),
    ("{e}; nothing was sent.", "{e}；未发送任何数据。"),
    (
        "{id} has no connected clients to send to; nothing was sent.",
        "{id} 没有已连接的客户端可发送；未发送任何数据。",
    ),
    (
        "{n} bytes is too long for one UDP datagram (at most {max} over IPv{v}); nothing was sent.",
        "{n} 字节超出一个 UDP 数据报的上限（IPv{v} 最多 {max} 字节）；未发送任何数据。",
    ),
    ("{n} bytes: {hex}", "{n} 字节：{hex}"),
    (
        "{open} connected, {all} accepted in all",
        "{open} 个已连接，共接受 {all} 个",
    ),
    ("{size} (asked for 4 MiB)", "{size}（请求的是 4 MiB）"),
    (
        "{size} pasted: too large to edit here; Send sends it as it is",
        "已粘贴 {size}：太大，无法在此编辑；点“发送”将原样发出",
    ),
    (
        "{socket} cannot send now: it is {state}; nothing was sent.",
        "{socket} 现在不能发送：它处于{state}状态；未发送任何数据。",
    ),
];
