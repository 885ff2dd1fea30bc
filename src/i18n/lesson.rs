//! Chinese for the teaching views: the socket calls, the state diagram, the
//! Python program and the sticky-packet lab.

/// English → 简体中文.
pub(super) const ZH: &[(&str, &str)] = &[
    // Call results and comments (model/pycall.rs).
    ("ok", "成功"),
    ("fd {fd}", "文件描述符 {fd}"),
    ("{child} from {peer}", "{child}，来自 {peer}"),
    ("a new socket, {peer}", "新的套接字，对端 {peer}"),
    ("ok, from {local}", "成功，本地地址 {local}"),
    ("ok: FIN sent", "成功：已发送 FIN"),
    ("ok; getsockopt says {n}", "成功；getsockopt 读回 {n}"),
    (
        "ok; getsockopt says {n} (Linux doubles it for its bookkeeping)",
        "成功；getsockopt 读回 {n}（Linux 把它加倍，多出的用于内核自己的记账）",
    ),
    ("not supported here", "本系统不支持"),
    ("count kernel drops", "统计内核丢弃的数据报"),
    ("on {listener}", "由 {listener} 接受"),
    ("(sender not in Sockbench)", "（发送方不在 Sockbench 中）"),
    (
        "(set on the listener: its connections take it)",
        "（设在监听套接字上：它的连接都会继承）",
    ),
    ("Asking the kernel…", "正在询问内核…"),
    ("Calls & states", "调用与状态"),
    (
        "Choose a framing above to split the stream into the sender's messages.",
        "在上方选择分帧方式，把字节流拆回发送方的消息。",
    ),
    ("Closed: {why}", "已关闭：{why}"),
    ("Copy", "复制"),
    (
        "Decode messages with struct format",
        "用 struct 格式解码消息",
    ),
    ("Delimiter", "分隔符"),
    ("Delimiter: {e}", "分隔符：{e}"),
    ("Each recv() as it happened", "每次 recv() 的实际情况"),
    (
        "Escapes allowed: \\n, \\r\\n, \\x00",
        "可用转义：\\n、\\r\\n、\\x00",
    ),
    ("Fixed size", "定长"),
    (
        "Fixed size: \"{v}\" is not a whole number of bytes",
        "定长：“{v}”不是整数字节数",
    ),
    ("Framing", "分帧"),
    ("Header", "报头"),
    (
        "How many bytes each recv() asks for. A smaller size splits the stream into more, smaller reads.",
        "每次 recv() 请求多少字节。越小，字节流被拆成越多、越小的读取。",
    ),
    (
        "Invalid argument: e.g. binding a socket twice.",
        "参数无效：例如对同一个套接字绑定两次。",
    ),
    ("Length prefix", "长度前缀"),
    ("Message size", "消息长度"),
    ("Messages after framing", "分帧后的消息"),
    (
        "None (each recv() is a message)",
        "无（每次 recv() 当作一条消息）",
    ),
    (
        "Not allowed: ports below 1024 need root, or a firewall refused.",
        "不允许：1024 以下的端口需要 root 权限，或被防火墙拒绝。",
    ),
    (
        "Nothing listens on that address and port: the peer answered with RST.",
        "该地址和端口上没有程序在监听：对端回了 RST。",
    ),
    (
        "Nothing received yet. Send a few messages quickly to this connection (the composer's ×N sends them back-to-back).",
        "还没有收到数据。向这个连接快速发送几条消息（发送区的 ×N 会连续发送）。",
    ),
    (
        "Off: Sockbench calls close() as soon as recv() returns b''. On: the socket stays in CLOSE_WAIT until you close it.",
        "关：recv() 一返回 b''，Sockbench 就调用 close()。开：套接字停在 CLOSE_WAIT，直到你关闭它。",
    ),
    (
        "Older bytes are no longer kept: splitting starts at byte {n}, maybe mid-message.",
        "更早的字节已不再保留：从第 {n} 字节开始拆分，可能从消息中间开始。",
    ),
    (
        "On: small writes go out at once. Off (the default): Nagle's algorithm may hold a small write back to merge it with the next.",
        "开：小数据立即发出。关（默认）：Nagle 算法可能暂存小数据，与下一次合并发送。",
    ),
    ("Python", "Python"),
    ("Python program", "Python 程序"),
    ("Python: {code}", "Python：{code}"),
    ("RTT {rtt} ms ± {var}", "往返时延 {rtt} ms ± {var}"),
    ("Reset (SO_LINGER 0)", "复位（SO_LINGER 0）"),
    (
        "Run it with python3 against another socket, or the other way round.",
        "用 python3 运行它，与另一个套接字互相通信。",
    ),
    (
        "Select a TCP connection on the left (a client, or one a listener accepted) to see how its bytes arrived.",
        "在左侧选择一个 TCP 连接（客户端，或监听套接字接受的连接），查看它的字节是怎样到达的。",
    ),
    (
        "Select a socket on the left to see its calls, its states and its Python code.",
        "在左侧选择一个套接字，查看它的调用、状态和 Python 代码。",
    ),
    (
        "Several sends arrived in one recv(): their boundaries are gone.",
        "多次发送在一次 recv() 中到达：它们之间的边界消失了。",
    ),
    ("Socket calls (as in Python)", "套接字调用（Python 写法）"),
    (
        "Stay open when the peer closes (watch CLOSE_WAIT)",
        "对端关闭后保持打开（观察 CLOSE_WAIT）",
    ),
    ("Sticky-packet lab", "粘包实验室"),
    (
        "TCP is a byte stream: it keeps the bytes in order but not the sender's message boundaries. Three quick sends may arrive as one recv() (粘包, sticky packets), and one send may be split over two. A protocol marks its own messages: a delimiter, a length prefix or a fixed size.",
        "TCP 是字节流：它保证字节的顺序，但不保留发送方的消息边界。快速的三次发送可能在一次 recv() 中到达（粘包），一次发送也可能被拆成两次。协议需要自己标出消息：分隔符、长度前缀或定长。",
    ),
    (
        "That address is not one of this machine's.",
        "该地址不属于本机。",
    ),
    ("That host cannot be reached.", "无法到达该主机。"),
    (
        "The kernel's TCP state (getsockopt TCP_INFO)",
        "内核中的 TCP 状态（getsockopt TCP_INFO）",
    ),
    (
        "The lab shows stream connections (TCP or Unix): select a client or an accepted connection (a listener's connections are under it).",
        "实验室展示的是字节流连接（TCP 或 Unix）：请选择客户端或已接受的连接（监听套接字的连接列在它下面）。",
    ),
    (
        "The peer closed its side: recv() returned b''.",
        "对方关闭了连接：recv() 返回了 b''。",
    ),
    ("The peer did not answer in time.", "对端没有及时应答。"),
    (
        "The peer has closed: writing to a closed connection.",
        "对端已关闭：在向已关闭的连接写数据。",
    ),
    (
        "The peer reset the connection (RST): it closed with data unread, or crashed.",
        "对端复位了连接（RST）：它在数据未读完时关闭，或已崩溃。",
    ),
    ("The same in Python", "对应的 Python 代码"),
    ("The socket's life", "套接字的生命周期"),
    (
        "The stream does not fit this framing: {e}",
        "字节流与该分帧方式不符：{e}",
    ),
    (
        "There is no route to that network.",
        "没有通往该网络的路由。",
    ),
    ("Too long for one datagram.", "超出一个数据报的长度。"),
    (
        "Too many open files: the limit on sockets is reached.",
        "打开的文件太多：已达到套接字数量上限。",
    ),
    ("Traffic", "收发记录"),
    (
        "accept() on listener {parent} returned this new socket: the listener keeps listening, and each client gets a socket of its own.",
        "监听套接字 {parent} 的 accept() 返回了这个新套接字：监听套接字继续监听，每个客户端都有自己的套接字。",
    ),
    (
        "accept() on {parent} → a new socket",
        "{parent} 上的 accept() → 新套接字",
    ),
    (
        "accept() returned new sockets: {list}",
        "accept() 返回的新套接字：{list}",
    ),
    ("big-endian (!)", "大端（!）"),
    ("byte {n}", "第 {n} 字节"),
    ("bytes", "字节"),
    ("content", "内容"),
    ("error", "错误"),
    ("holds", "包含"),
    ("length counts the header", "长度包含报头"),
    ("little-endian (<)", "小端（<）"),
    ("message", "消息"),
    ("messages", "消息"),
    ("not yet sent {n} B", "未发出 {n} B"),
    ("part of send {n}", "第 {n} 次发送的一部分"),
    ("recv() calls", "recv() 调用"),
    ("recv() size", "recv() 大小"),
    ("retransmitted {n}", "重传 {n}"),
    ("send {n}", "第 {n} 次发送"),
    ("state {s}", "状态 {s}"),
    ("stream bytes", "流中位置"),
    ("the peer closes first", "对端先关闭"),
    (
        "unacknowledged {b} B ({n} segments)",
        "未确认 {b} B（{n} 个报文段）",
    ),
    ("unacknowledged {n} segments", "未确认 {n} 个报文段"),
    ("we close first", "本端先关闭"),
    ("handshake", "握手"),
    ("{id} sent", "{id} 发送的"),
    (
        "{n} bytes wait for the rest of their message.",
        "{n} 字节在等待它们所属消息的其余部分。",
    ),
    ("{t} s ago", "{t} 秒前"),
    ("… {n} earlier calls not kept", "… 更早的 {n} 次调用未保留"),
    ("recv {n}", "第 {n} 次 recv"),
    ("msg {n}", "消息 {n}"),
    ("{n} bytes from {addr}", "{n} 字节，来自 {addr}"),
    ("b'' (the peer closed)", "b''（对端已关闭）"),
    ("send small writes at once", "小数据立即发出"),
    ("b'': the peer closed", "b''：对端已关闭"),
    ("reset", "复位"),
    (
        "FIN: no more sends, still receiving",
        "FIN：不再发送，仍可接收",
    ),
    ("{socket} as a Python program.", "{socket} 的 Python 程序。"),
    (
        "accept() returns a NEW socket for this client",
        "accept() 为这个客户端返回一个新的套接字",
    ),
    ("one datagram", "一个数据报"),
    (
        "… and {n} more sends and receives (not kept)",
        "… 以及另外 {n} 次发送和接收（未保留）",
    ),
    // Pause reading and the slow sender (ui/lab.rs, ui/composer.rs).
    ("Pause reading", "暂停接收"),
    ("Resume reading", "恢复接收"),
    ("Send slowly", "慢速发送"),
    (
        "Send the payload a few bytes at a time, each its own send(), so the receiver's recv() sees one message in pieces",
        "每次只发送几个字节，每次都是一次单独的 send()，于是接收方的 recv() 会把一条消息分几次收到",
    ),
    ("Slowly: bytes per send", "慢速：每次发送的字节数"),
    (
        "Stop calling recv(): send a few messages, then resume, and one recv() returns them stuck together (粘包)",
        "停止调用 recv()：先发送几条消息，再恢复接收，一次 recv() 就会把它们粘在一起返回（粘包）",
    ),
    ("for (ms, 0: until resumed)", "时长（毫秒，0：直到恢复）"),
    ("ms apart", "间隔（毫秒）"),
    (
        "recv() is not called: what arrives waits in the kernel's receive buffer, and the next recv() takes it together",
        "没有调用 recv()：到达的数据在内核的接收缓冲区里等待，下一次 recv() 会把它们一起取走",
    ),
    (
        "sending slowly: a few bytes per send(), {ms} ms apart",
        "慢速发送：每次 send() 几个字节，间隔 {ms} 毫秒",
    ),
    (
        "slow send done: {sent} sends",
        "慢速发送完成：共 {sent} 次 send()",
    ),
    // UDP in the lab (ui/lab.rs).
    (
        "Nothing received yet. Send a few datagrams to this socket quickly (the composer's ×N sends them back-to-back).",
        "还没有收到数据。快速地向这个套接字发送几个数据报（发送区的 ×N 会连续发送）。",
    ),
    (
        "UDP keeps message boundaries: each sendto() is one datagram, and each recvfrom() returns exactly one, never two stuck together and never half of one. A recv size smaller than the datagram cuts it: the rest is thrown away (MSG_TRUNC).",
        "UDP 保留消息边界：每次 sendto() 发出一个数据报，每次 recvfrom() 正好收到一个，不会两个粘在一起，也不会只收到半个。如果 recv 的大小比数据报小，数据报会被截断：多出的部分被丢弃（MSG_TRUNC）。",
    ),
    (
        "{n} bytes cut off (MSG_TRUNC)",
        "截掉了 {n} 字节（MSG_TRUNC）",
    ),
    ("cut off (MSG_TRUNC)", "被截断（MSG_TRUNC）"),
    ("recvfrom {n}", "recvfrom {n}"),
    ("sendto: {n} bytes", "sendto：{n} 字节"),
    (
        "{n} datagrams kept, {t} of them cut off by recvfrom({size})",
        "保留了 {n} 个数据报，其中 {t} 个被 recvfrom({size}) 截断",
    ),
    // bind() and EADDRINUSE, from what the kernel holds (ui/in_use.rs).
    (
        "Asking the kernel what holds this port…",
        "正在询问内核是谁占用了这个端口…",
    ),
    (
        "Connections still use port {port} ({states}). A listener cannot bind a port a live connection uses without SO_REUSEADDR.",
        "还有连接在使用端口 {port}（{states}）。不设置 SO_REUSEADDR，监听套接字就不能绑定正被活动连接使用的端口。",
    ),
    (
        "Nothing listens on port {port}, but the kernel still holds {n} of its connections in TIME_WAIT: a connection on this port closed a moment ago, this side first, and its record stays for about 60 seconds so late packets cannot reach a new connection. Without SO_REUSEADDR, bind() refuses the port until they are gone. SO_REUSEADDR lets a listener bind it now, if the socket that left them set it too: that is what the option is for (s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1) before bind()).",
        "端口 {port} 上没有套接字在监听，但内核还保留着它的 {n} 个处于 TIME_WAIT 的连接：这个端口上的连接刚刚断开，而且是这一端先关闭的，它的记录会保留约 60 秒，免得迟到的数据包落到新连接里。不设置 SO_REUSEADDR，bind() 会一直拒绝这个端口，直到这些记录消失。只要留下这些记录的套接字也设置了 SO_REUSEADDR，它就能让服务端现在就绑定这个端口：这正是这个选项的用途（在 bind() 之前调用 s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)）。",
    ),
    (
        "Open again with SO_REUSEADDR",
        "设置 SO_REUSEADDR 后重新打开",
    ),
    (
        "Linux lets a socket with SO_REUSEADDR share a port with TIME_WAIT only when the socket that left them had SO_REUSEADDR too, and {old} did not: wait about 60 seconds for TIME_WAIT to end. Tick SO_REUSEADDR on every listener (the tutorials do), and the next restart binds at once.",
        "在 Linux 上，只有留下 TIME_WAIT 的套接字也设置了 SO_REUSEADDR，新的套接字设置 SO_REUSEADDR 后才能共用这个端口，而 {old} 没有设置：请等约 60 秒让 TIME_WAIT 结束。给每个监听套接字都勾选 SO_REUSEADDR（教程里都这样做），下次重启就能立即绑定。",
    ),
    (
        "The kernel holds this address and port for another socket (a listener, a connection, or one in TIME_WAIT); the socket's details say which.",
        "内核把这个地址和端口留给了另一个套接字（监听套接字、连接，或处于 TIME_WAIT 的连接）；套接字详情里写明了是哪一种。",
    ),
    (
        "The kernel holds {n} connections of port {port} in TIME_WAIT, and SO_REUSEADDR was set: another socket must be bound to it as well.",
        "内核保留着端口 {port} 的 {n} 个 TIME_WAIT 连接，而且已经设置了 SO_REUSEADDR：一定还有另一个套接字绑定了它。",
    ),
    (
        "The kernel now shows no TCP socket on port {port}: what held it is gone. Opening again should work.",
        "内核现在显示端口 {port} 上已经没有 TCP 套接字：占用它的已经不在了。重新打开应该可以成功。",
    ),
    (
        "The kernel says a socket is listening on port {port}: {who}. One address and port take one listener; close that one or choose another port.",
        "内核显示有套接字正在监听端口 {port}：{who}。同一个地址和端口只能有一个监听套接字；请关闭它，或换一个端口。",
    ),
    (
        "The kernel's socket table did not answer. `ss -tan 'sport = :{port}'` shows what holds the port.",
        "内核的套接字表没有回答。`ss -tan 'sport = :{port}'` 可以查看是谁占用了这个端口。",
    ),
    (
        "{addr}: Sockbench's {socket}",
        "{addr}：Sockbench 的 {socket}",
    ),
    (
        "{addr}: another program (`ss -ltnp` names it)",
        "{addr}：另一个程序（`ss -ltnp` 可以查出是哪个）",
    ),
    // GBK vs UTF-8 in an expanded row (ui/log_view.rs).
    (
        "The same bytes decoded both ways:",
        "同样的字节，用两种编码解码：",
    ),
    ("as {enc}", "按 {enc}"),
    // The Python program's conversation, servers and reply rules
    // (model/pygen.rs, model/pyrules.rs).
    (
        "Each message ending {d}, however recv() cut them.",
        "逐条取出以 {d} 结尾的消息，不管 recv() 怎样切分它们。",
    ),
    (
        "Each message, however recv() cut them.",
        "逐条取出消息，不管 recv() 怎样切分它们。",
    ),
    (
        "One message: exactly {n} bytes.",
        "一条消息：正好 {n} 个字节。",
    ),
    (
        "One message: its length first, then its bytes.",
        "一条消息：先发报头（长度），再发数据本身。",
    ),
    (
        "One message: read the length, then exactly that many bytes.",
        "一条消息：先收报头（长度），再正好收这么多字节。",
    ),
    (
        "Reads exactly n bytes: one recv() returns what has arrived, which may be less.",
        "正好接收 n 个字节：一次 recv() 只返回已经到达的数据，可能比 n 少。",
    ),
    ("Serve each client with", "服务每个客户端的方式"),
    ("a thread (threading)", "每个客户端一个线程（threading）"),
    (
        "socketserver.ThreadingTCPServer",
        "socketserver.ThreadingTCPServer",
    ),
    ("back to the sender", "发回给发送方"),
    ("no reply: the rule only counts", "不回复：这条规则只计数"),
    ("no rule is on", "没有启用的规则"),
    (
        "one thread per client, so clients are served at once",
        "每个客户端一个线程，多个客户端可以并发地得到服务",
    ),
    ("reply rules: {unit}", "自动回复规则：{unit}"),
    ("rule {n}", "规则 {n}"),
    (
        "rule {n}'s hits, for ${seq}",
        "规则 {n} 的命中次数，用于 ${seq}",
    ),
    ("the peer closed", "对方关闭了连接"),
    (
        "the reply cannot be read: see the rule",
        "无法读取回复内容：请检查这条规则",
    ),
    (
        "the rules after it are never reached: it matches anything",
        "它匹配任何数据，所以后面的规则永远不会执行",
    ),
    (
        "wait for what came next: {what}",
        "等待接下来收到的数据：{what}",
    ),
    (
        "what Sockbench did with {conn}",
        "Sockbench 对 {conn} 做过的事",
    ),
    ("{ms} ms later", "{ms} 毫秒后"),
    (
        "TIME_WAIT: this side closed first, so the kernel keeps the connection's record for a minute after the socket is gone (asked of the kernel as `ss -tan` asks it). Stray late packets of this connection cannot confuse a new one on the same ports.",
        "TIME_WAIT：这一端先关闭，所以套接字关闭后，内核还会把这个连接的记录保留约一分钟（像 `ss -tan` 那样向内核查询得到）。这样，这个连接迟到的数据包不会干扰之后使用相同端口的新连接。",
    ),
    (
        "Asked of the kernel's socket table (NETLINK_SOCK_DIAG, as `ss` asks): the socket itself cannot be asked any more.",
        "向内核的套接字表查询得到（NETLINK_SOCK_DIAG，与 `ss` 的做法相同）：已无法再向套接字本身查询。",
    ),
    (
        "The kernel holds no record of this connection any more: it is fully closed.",
        "内核中已没有这个连接的记录：它已完全关闭。",
    ),
    (
        "Closed: asking the kernel's TCP table…",
        "已关闭：正在查询内核的 TCP 表…",
    ),
    (
        "The log no longer holds these bytes (evicted, or Counts only is on): nothing to split.",
        "日志中已没有这些字节（已被淘汰，或开启了“只计数”）：无法拆分。",
    ),
    ("Use the composer's format", "使用发送区的格式"),
    (
        "accept queue {n} of {max} (connections the kernel completed, waiting for accept())",
        "accept 队列 {n}/{max}（内核已完成握手、等待 accept() 的连接）",
    ),
    // The lessons panel (ui/lessons.rs).
    ("Lessons", "课程"),
    (
        "Each follows one of the tutorials: Start opens what it needs, \
         the steps say what to click, and each step is ticked when the \
         sockets have done it.",
        "每一课对应一篇教程：“开始”会打开它需要的套接字，步骤说明该点哪里，\
         套接字做到了，该步就会打上勾。",
    ),
    ("Start", "开始"),
    ("Lesson", "选择课程"),
    ("Previous lesson", "上一课"),
    ("Next lesson", "下一课"),
    (
        "Lesson {n} of {all}: {title}",
        "第 {n} 课（共 {all} 课）：{title}",
    ),
    ("Start: {lesson}", "开始：{lesson}"),
    (
        "Opens this lesson's sockets (and closes those the previous lesson opened)",
        "打开这一课的套接字（并关闭上一课打开的）",
    ),
    ("Step {n}: done", "第 {n} 步：已完成"),
    ("Step {n}: not yet", "第 {n} 步：未完成"),
    ("Port of the other web server", "另一个 Web 服务器的端口"),
    ("Click Start first", "请先点击“开始”"),
    (
        "Closed before a connection was made: the kernel keeps no record of it.",
        "在建立连接之前就已关闭：内核不会为它保留记录。",
    ),
    (
        "The kernel did not answer within 3 s. `ss -tan 'sport = :{local} and dport = :{peer}'` shows the connection's state.",
        "内核在 3 秒内没有回答。`ss -tan 'sport = :{local} and dport = :{peer}'` 可以查看这条连接的状态。",
    ),
    ("{button} (step {n})", "{button}（第 {n} 步）"),
    ("Server", "服务端"),
    ("Client", "客户端"),
];
