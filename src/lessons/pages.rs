//! The eleven lessons' pages: each one's title, introduction, what Start
//! opens and its steps, in English and Chinese side by side.

use super::{
    Bi, CentralView, Check, Lesson, LessonId, Replies, Role, Server, Setup, Step, StepButton, bi,
    setup, step, step_with,
};
use crate::codec::text::TextEncoding;

const SELECT_CLIENT: (Bi, StepButton) = (
    bi("Select the client", "选中客户端"),
    StepButton::Select(Role::Client(0)),
);
const SELECT_CONN: (Bi, StepButton) = (
    bi("Select the connection", "选中连接"),
    StepButton::Select(Role::Conn(0)),
);
const READY: Step = step(
    bi(
        "Click Start. The listener and a client connected to it appear on \
         the left; under the listener is the connection accept() returned.",
        "点击“开始”。左侧出现监听套接字和连上它的客户端；监听套接字下面是 accept() \
         返回的连接。",
    ),
    Check::Ready,
);

pub(super) const TCP_ECHO: Lesson = Lesson {
    id: LessonId::TcpEcho,
    title: bi("TCP echo server", "TCP 回显服务器"),
    intro: bi(
        "An echo server sends back whatever it receives: socket(), bind(), \
         listen(), accept(), then recv(1024) and sendall() in a loop, as in \
         the tutorial. Start opens such a listener (its reply rule is Echo) \
         and a client connected to it.",
        "回显服务器把收到的内容原样发回：socket()、bind()、listen()、accept()，\
         然后循环 recv(1024) 和 sendall()，和教程里一样。“开始”会打开这样一个\
         监听套接字（自动回复规则为“回显”），以及连上它的客户端。",
    ),
    setup: Setup {
        replies: Replies::Echo,
        ..setup(Server::Tcp { reuse: true }, 1)
    },
    steps: &[
        READY,
        step_with(
            bi(
                "Select the client, type `hello` in the composer at the bottom \
                 and click Send.",
                "选中客户端，在下方的“发送内容”框输入 `hello`，点击“发送”。",
            ),
            SELECT_CLIENT,
            Check::Sent(Role::Client(0), 1),
        ),
        step(
            bi(
                "The Traffic tab shows the send and, right after it, the same \
                 bytes coming back: the listener's Echo rule answered.",
                "“收发记录”页显示这次发送，紧接着是同样的字节发回来：监听套接字的\
                 回显规则作出了应答。",
            ),
            Check::Received(Role::Client(0)),
        ),
        step_with(
            bi(
                "Select the listener and open the Python tab: the same echo \
                 server, written with socket.",
                "选中监听套接字，打开 Python 页：同一个回显服务器，用 socket 写成。",
            ),
            (
                bi("Show its Python", "查看它的 Python"),
                StepButton::Show(Role::Server, CentralView::Python),
            ),
            Check::Showing(Role::Server, CentralView::Python),
        ),
    ],
};

pub(super) const CHAT: Lesson = Lesson {
    id: LessonId::Chat,
    title: bi("Two-way chat", "双向聊天"),
    intro: bi(
        "A TCP connection is a channel both ways: either end may send at any \
         time, and who speaks first is up to the protocol. The tutorial's \
         chat has the client and the server take turns with recv(1024).",
        "TCP 连接是双向通道：两端随时都可以发送，谁先说由协议决定。教程里的聊天\
         程序让客户端和服务端用 recv(1024) 轮流说话。",
    ),
    setup: setup(Server::Tcp { reuse: true }, 1),
    steps: &[
        READY,
        step_with(
            bi(
                "Select the client, type 你好 and click Send: the server's \
                 connection receives it.",
                "选中客户端，输入“你好”，点击“发送”：服务端的连接收到了它。",
            ),
            SELECT_CLIENT,
            Check::Received(Role::Conn(0)),
        ),
        step_with(
            bi(
                "Select the connection under the listener, type `hi` and click \
                 Send: this time the client receives.",
                "选中监听套接字下面的连接，输入 `hi`，点击“发送”：这次是客户端收到。",
            ),
            SELECT_CONN,
            Check::Received(Role::Client(0)),
        ),
        step_with(
            bi(
                "The Python tab with the client selected: its sendall() and \
                 `recv_exact()` calls keep the order of your conversation.",
                "选中客户端，打开 Python 页：sendall() 和 `recv_exact()` 的顺序就是\
                 你们对话的顺序。",
            ),
            (
                bi("Show its Python", "查看它的 Python"),
                StepButton::Show(Role::Client(0), CentralView::Python),
            ),
            Check::Showing(Role::Client(0), CentralView::Python),
        ),
    ],
};

pub(super) const MULTI_CLIENT: Lesson = Lesson {
    id: LessonId::MultiClient,
    title: bi("A server for many clients", "多客户端服务器"),
    intro: bi(
        "accept() returns a new socket for each client, and the server talks \
         to each on its own socket. The tutorial starts a thread per client, \
         which greets it with `Hello, <name>!`. Start opens a listener that \
         answers so, and three clients.",
        "accept() 为每个客户端返回一个新的套接字，服务端在各自的套接字上和它们\
         通信。教程为每个客户端开一个线程，回复 `Hello, <名字>!`。“开始”会打开\
         这样应答的监听套接字，以及三个客户端。",
    ),
    setup: Setup {
        replies: Replies::Hello,
        ..setup(Server::Tcp { reuse: true }, 3)
    },
    steps: &[
        step(
            bi(
                "Click Start. Three clients connect; the listener accepts each, \
                 and three new sockets appear under it.",
                "点击“开始”。三个客户端连上来；监听套接字逐个接受，它下面出现三个\
                 新的套接字。",
            ),
            Check::Ready,
        ),
        step(
            bi(
                "Select each client in turn and send its name (`Michael`, `Tracy`, \
                 `Sarah`): each gets `Hello, <name>!` back, in whatever order you \
                 go.",
                "依次选中每个客户端，发送它的名字（`Michael`、`Tracy`、`Sarah`）：\
                 不论顺序如何，每个都收到 `Hello, <名字>!`。",
            ),
            Check::EveryClientAnswered,
        ),
        step_with(
            bi(
                "Select the listener and send something: a listener's send \
                 goes to every client it accepted.",
                "选中监听套接字并发送：监听套接字的发送会发给它接受的每个客户端。",
            ),
            (
                bi("Select the listener", "选中监听套接字"),
                StepButton::Select(Role::Server),
            ),
            Check::BroadcastSent,
        ),
        step_with(
            bi(
                "The Python tab with the listener selected: a threaded server, \
                 `threading.Thread(target=handle, args=(conn, addr))` for each \
                 client; a switch writes socketserver instead.",
                "选中监听套接字，打开 Python 页：一个多线程服务端，为每个客户端\
                 `threading.Thread(target=handle, args=(conn, addr))`；也可切换成 \
                 socketserver 的写法。",
            ),
            (
                bi("Show its Python", "查看它的 Python"),
                StepButton::Show(Role::Server, CentralView::Python),
            ),
            Check::Showing(Role::Server, CentralView::Python),
        ),
    ],
};

pub(super) const UDP: Lesson = Lesson {
    id: LessonId::Udp,
    title: bi("UDP: datagrams", "UDP：数据报"),
    intro: bi(
        "UDP has no listen(), no accept() and no connection: a socket binds \
         an address, and each sendto() is one datagram that one recvfrom() \
         returns whole, with the sender's address. Start opens two UDP \
         sockets; the second sends to the first.",
        "UDP 没有 listen()、没有 accept()，也没有连接：套接字绑定一个地址，每次 \
         sendto() 就是一个数据报，由一次 recvfrom() 完整收下，并附带发送方地址。\
         “开始”会打开两个 UDP 套接字，第二个发往第一个。",
    ),
    setup: setup(Server::Udp, 1),
    steps: &[
        step(
            bi(
                "Click Start. Two UDP sockets appear, each bound to an address \
                 of its own.",
                "点击“开始”。出现两个 UDP 套接字，各自绑定自己的地址。",
            ),
            Check::Ready,
        ),
        step_with(
            bi(
                "Select the second socket, set Times to ×3, type `ping` and click \
                 Send: three sendto()s.",
                "选中第二个套接字，把“次数”设为 ×3，输入 `ping`，点击“发送”：三次 \
                 sendto()。",
            ),
            (
                bi("Select the sender", "选中发送方"),
                StepButton::Select(Role::Client(0)),
            ),
            Check::Sent(Role::Client(0), 3),
        ),
        step_with(
            bi(
                "Each arrives as its own row: one recvfrom() per datagram, \
                 never stuck together. The Sticky-packet lab draws them with \
                 the first socket selected.",
                "每个数据报各占一行：一次 recvfrom() 收一个，从不粘在一起。选中\
                 第一个套接字，粘包实验室会把它们画出来。",
            ),
            (
                bi("Show it in the lab", "在实验室中查看"),
                StepButton::Show(Role::Server, CentralView::Lab),
            ),
            Check::Showing(Role::Server, CentralView::Lab),
        ),
        step(
            bi(
                "Answer: in the Traffic tab, right-click one of the rows the \
                 first socket received, choose Reply to this sender, then \
                 click Send. It is a sendto() back to the sender's address.",
                "回复：在“收发记录”页右键点击第一个套接字收到的某一行，选“回复这个\
                 发送方”，再点“发送”。这是一次发回发送方地址的 sendto()。",
            ),
            Check::Received(Role::Client(0)),
        ),
    ],
};

pub(super) const STICKY: Lesson = Lesson {
    id: LessonId::Sticky,
    title: bi("recv(1024) and sticky packets", "recv(1024) 与粘包"),
    intro: bi(
        "TCP is a stream of bytes, not of messages: recv(1024) returns \
         whatever has arrived, up to 1024 bytes. Sends made close together \
         can come back as one recv() (sticky packets), and one send can \
         come back in pieces. Start opens a listener and a client and shows \
         the connection in the Sticky-packet lab.",
        "TCP 是字节流，不是消息流：recv(1024) 返回已经到达的数据，最多 1024 \
         字节。几次挨得很近的发送可能被一次 recv() 收下（粘包），一次发送也可能\
         分几次收到。“开始”会打开监听套接字和客户端，并在粘包实验室中显示这条\
         连接。",
    ),
    setup: Setup {
        view: Some(CentralView::Lab),
        ..setup(Server::Tcp { reuse: true }, 1)
    },
    steps: &[
        step(
            bi(
                "Click Start. The lab shows the server's connection; each of \
                 its reads is now one real recv() of the size shown.",
                "点击“开始”。实验室显示服务端的连接；从现在起它的每次读取都是一次\
                 真实的、所示大小的 recv()。",
            ),
            Check::Ready,
        ),
        step_with(
            bi(
                "Click Pause reading in the lab: Sockbench stops calling \
                 recv() on the connection.",
                "点击实验室里的“暂停接收”：Sockbench 不再对这条连接调用 recv()。",
            ),
            (
                bi("Show the connection", "显示连接"),
                StepButton::Show(Role::Conn(0), CentralView::Lab),
            ),
            Check::Paused,
        ),
        step_with(
            bi(
                "Select the client, set Times to ×3, type `hello` and click Send: \
                 three send()s wait in the kernel's receive buffer.",
                "选中客户端，把“次数”设为 ×3，输入 `hello`，点击“发送”：三次 send() \
                 的数据停在内核的接收缓冲区里。",
            ),
            SELECT_CLIENT,
            Check::Sent(Role::Client(0), 3),
        ),
        step_with(
            bi(
                "Select the connection and click Resume reading: one recv() \
                 returns all three sends. That is sticking (粘包).",
                "选中连接，点击“恢复接收”：一次 recv() 返回了三次发送的数据。\
                 这就是粘包。",
            ),
            (
                bi("Show the connection", "显示连接"),
                StepButton::Show(Role::Conn(0), CentralView::Lab),
            ),
            Check::Stuck,
        ),
        step_with(
            bi(
                "The other way round: select the client, set Slowly: bytes per \
                 send to 1 and click Send slowly. One message goes out one \
                 byte per send() and is read in several recv()s.",
                "反过来：选中客户端，把“慢速：每次发送的字节数”设为 1，点击“慢速发送”。\
                 一条消息每次 send() 一个字节地发出，分几次 recv() 收到。",
            ),
            SELECT_CLIENT,
            Check::Split,
        ),
    ],
};

pub(super) const LENGTH_PREFIX: Lesson = Lesson {
    id: LessonId::LengthPrefix,
    title: bi("A struct length prefix", "struct 长度前缀"),
    intro: bi(
        "The cure for sticky packets: put each message's length before it, \
         `struct.pack('!I', len(data))` + data, and on the other side read the \
         4-byte header, then exactly that many bytes. Start sets the lab's \
         framing to this length prefix.",
        "解决粘包的办法：在每条消息前加上它的长度，`struct.pack('!I', len(data))` \
         + data；接收方先读 4 字节的报头，再恰好读那么多字节。“开始”会把实验室\
         的分帧方式设为这种长度前缀。",
    ),
    setup: Setup {
        view: Some(CentralView::Lab),
        length_prefix: true,
        ..setup(Server::Tcp { reuse: true }, 1)
    },
    steps: &[
        step(
            bi(
                "Click Start. The lab shows the connection, its framing a 4-byte \
                 big-endian length prefix.",
                "点击“开始”。实验室显示这条连接，分帧方式为 4 字节大端长度前缀。",
            ),
            Check::Ready,
        ),
        step_with(
            bi("Click Pause reading.", "点击“暂停接收”。"),
            (
                bi("Show the connection", "显示连接"),
                StepButton::Show(Role::Conn(0), CentralView::Lab),
            ),
            Check::Paused,
        ),
        step_with(
            bi(
                "Select the client, tick Add the lab's framing, set Times to ×3, \
                 type `hello` and click Send: each send is `struct.pack('!I', 5)` + \
                 `b'hello'`.",
                "选中客户端，勾选“加上实验室的分帧”，把“次数”设为 ×3，输入 `hello`，\
                 点击“发送”：每次发送都是 `struct.pack('!I', 5)` + `b'hello'`。",
            ),
            SELECT_CLIENT,
            Check::Sent(Role::Client(0), 3),
        ),
        step_with(
            bi(
                "Select the connection and click Resume reading: one recv() \
                 holds all three, and the decoder reads each header and gives \
                 back three `hello`s.",
                "选中连接，点击“恢复接收”：一次 recv() 收下了全部三条，解码器逐个\
                 读出报头，还原出三个 `hello`。",
            ),
            (
                bi("Show the connection", "显示连接"),
                StepButton::Show(Role::Conn(0), CentralView::Lab),
            ),
            Check::FramedStuck,
        ),
        step_with(
            bi(
                "The Python tab with the client selected: `send_msg()` and \
                 `recv_msg()`, over a `recv_exact()` helper.",
                "选中客户端，打开 Python 页：`send_msg()` 和 `recv_msg()`，底下是 \
                 `recv_exact()` 辅助函数。",
            ),
            (
                bi("Show its Python", "查看它的 Python"),
                StepButton::Show(Role::Client(0), CentralView::Python),
            ),
            Check::Showing(Role::Client(0), CentralView::Python),
        ),
    ],
};

pub(super) const ENCODING: Lesson = Lesson {
    id: LessonId::Encoding,
    title: bi("GBK vs UTF-8", "GBK 与 UTF-8"),
    intro: bi(
        "A socket sends bytes, not text: `'你好'.encode('gbk')` is 4 bytes, \
         `'你好'.encode('utf-8')` is 6. Start opens a client that writes GBK, \
         as a Windows program often does, to a server that reads UTF-8.",
        "套接字发送的是字节，不是文字：`'你好'.encode('gbk')` 是 4 个字节，\
         `'你好'.encode('utf-8')` 是 6 个。“开始”会打开一个按 GBK 编码的客户端\
         （Windows 程序常常如此），连到按 UTF-8 解码的服务端。",
    ),
    setup: Setup {
        client_encoding: Some(TextEncoding::Gbk),
        ..setup(Server::Tcp { reuse: true }, 1)
    },
    steps: &[
        READY,
        step_with(
            bi(
                "Select the client, type 你好 and click Send: four bytes, c4 e3 \
                 ba c3, go out.",
                "选中客户端，输入“你好”，点击“发送”：发出四个字节 c4 e3 ba c3。",
            ),
            SELECT_CLIENT,
            Check::Received(Role::Conn(0)),
        ),
        step(
            bi(
                "The connection's row is not valid UTF-8 (mojibake). Click the \
                 row to expand it: its bytes decoded as UTF-8 and as GBK, side \
                 by side.",
                "连接收到的那一行不是合法的 UTF-8（乱码）。点击这一行展开：同样的\
                 字节按 UTF-8 和按 GBK 解码，并排显示。",
            ),
            Check::Read,
        ),
        step_with(
            bi(
                "Select the connection and set Encoding, beside the composer, \
                 to GBK: the row reads 你好. The bytes never changed; both \
                 ends must agree on the encoding.",
                "选中连接，把发送框旁边的“编码”设为 GBK：这一行显示“你好”。字节\
                 从未改变；两端必须约定同一种编码。",
            ),
            SELECT_CONN,
            Check::ConnReadsGbk,
        ),
    ],
};

pub(super) const UNIX: Lesson = Lesson {
    id: LessonId::Unix,
    title: bi("AF_UNIX: a socket in a file", "AF_UNIX：文件系统里的套接字"),
    intro: bi(
        "Sockets of the AF_UNIX family connect programs on one machine. The \
         address is a path, not an IP and a port, and the bytes never touch \
         a network. Start opens a Unix listener in the temporary directory \
         and a client.",
        "AF_UNIX 家族的套接字连接同一台机器上的程序。地址是一个路径，而不是 IP \
         和端口，数据从不经过网络。“开始”会在临时目录里打开一个 Unix 监听套接字\
         和一个客户端。",
    ),
    setup: setup(Server::Unix, 1),
    steps: &[
        READY,
        step_with(
            bi(
                "Select the client, type `hello` and click Send: the same send() \
                 and recv() as over TCP.",
                "选中客户端，输入 `hello`，点击“发送”：和 TCP 一样的 send() 与 recv()。",
            ),
            SELECT_CLIENT,
            Check::Received(Role::Conn(0)),
        ),
        step_with(
            bi(
                "Calls & states with the listener selected: socket(AF_UNIX, \
                 SOCK_STREAM) and bind() on the path. In a terminal, `ls -l` on \
                 that path shows a file of type s (socket).",
                "选中监听套接字，打开“调用与状态”：socket(AF_UNIX, SOCK_STREAM)，\
                 bind() 到那个路径。在终端里对该路径执行 `ls -l`，会看到类型为 s\
                 （套接字）的文件。",
            ),
            (
                bi("Show its calls", "查看它的调用"),
                StepButton::Show(Role::Server, CentralView::Lesson),
            ),
            Check::Showing(Role::Server, CentralView::Lesson),
        ),
    ],
};

pub(super) const IPV6: Lesson = Lesson {
    id: LessonId::Ipv6,
    title: bi("IPv6", "IPv6 通信"),
    intro: bi(
        "AF_INET6 instead of AF_INET, and ::1 instead of 127.0.0.1; the rest \
         of the program is the same. Start opens a listener on ::1, the IPv6 \
         loopback, and a client. Where the machine has no IPv6, bind() fails \
         and the listener's details say why.",
        "把 AF_INET 换成 AF_INET6，把 127.0.0.1 换成 ::1，程序的其余部分不变。\
         “开始”会在 IPv6 回环地址 ::1 上打开监听套接字和一个客户端。如果这台\
         机器没有 IPv6，bind() 会失败，监听套接字的详情会说明原因。",
    ),
    setup: setup(Server::Tcp6, 1),
    steps: &[
        READY,
        step_with(
            bi(
                "Select the client, type `hello` and click Send.",
                "选中客户端，输入 `hello`，点击“发送”。",
            ),
            SELECT_CLIENT,
            Check::Received(Role::Conn(0)),
        ),
        step_with(
            bi(
                "Calls & states with the listener selected: socket(AF_INET6, \
                 SOCK_STREAM) and `bind(('::1', port))`.",
                "选中监听套接字，打开“调用与状态”：socket(AF_INET6, SOCK_STREAM) \
                 和 `bind(('::1', port))`。",
            ),
            (
                bi("Show its calls", "查看它的调用"),
                StepButton::Show(Role::Server, CentralView::Lesson),
            ),
            Check::Showing(Role::Server, CentralView::Lesson),
        ),
    ],
};

pub(super) const REUSE_ADDR: Lesson = Lesson {
    id: LessonId::ReuseAddr,
    title: bi("SO_REUSEADDR and TIME_WAIT", "SO_REUSEADDR 与 TIME_WAIT"),
    intro: bi(
        "Restart a server right after it closed a connection and bind() may \
         fail with EADDRINUSE: the side that closed first keeps the port in \
         TIME_WAIT for about a minute. The tutorial sets SO_REUSEADDR before \
         bind() for this. Start opens a listener with it, and a client.",
        "服务端刚关闭连接就重启，bind() 可能因 EADDRINUSE 失败：先关闭的一方会\
         让端口停在 TIME_WAIT 状态约一分钟。教程为此在 bind() 之前设置 \
         SO_REUSEADDR。“开始”会打开一个设置了它的监听套接字，以及一个客户端。",
    ),
    setup: setup(Server::Tcp { reuse: true }, 1),
    steps: &[
        READY,
        step_with(
            bi(
                "Close the server's side first: the connection under the \
                 listener calls close(). Its port is now in TIME_WAIT.",
                "让服务端先关闭：监听套接字下面的连接调用 close()。它的端口现在处于 \
                 TIME_WAIT。",
            ),
            (
                bi("Close the connection", "关闭连接"),
                StepButton::Close(Role::Conn(0)),
            ),
            Check::Closed(Role::Conn(0)),
        ),
        step_with(
            bi(
                "Close the listener too, as a server program that exits.",
                "把监听套接字也关掉，就像服务端程序退出。",
            ),
            (
                bi("Close the listener", "关闭监听套接字"),
                StepButton::Close(Role::Server),
            ),
            Check::Closed(Role::Server),
        ),
        step_with(
            bi(
                "Start the server again on the same port without SO_REUSEADDR: \
                 bind() fails with EADDRINUSE, and its details show the kernel \
                 holds the port for a connection in TIME_WAIT.",
                "不设 SO_REUSEADDR，在同一端口上重新启动服务端：bind() 因 \
                 EADDRINUSE 失败，详情显示内核因一个 TIME_WAIT 的连接占着这个端口。",
            ),
            (
                bi(
                    "Listen again without SO_REUSEADDR",
                    "不设 SO_REUSEADDR 重新监听",
                ),
                StepButton::Reopen { reuse: false },
            ),
            Check::Refused,
        ),
        step_with(
            bi(
                "Now with SO_REUSEADDR (the button in its details does the \
                 same): bind() succeeds. That is why servers set it.",
                "这次设置 SO_REUSEADDR（详情里的按钮效果相同）：bind() 成功。\
                 这就是服务端都设置它的原因。",
            ),
            (
                bi(
                    "Listen again with SO_REUSEADDR",
                    "设置 SO_REUSEADDR 重新监听",
                ),
                StepButton::Reopen { reuse: true },
            ),
            Check::Relistening,
        ),
    ],
};

/// The page the lesson's web rule answers with.
pub const WEB_PAGE: &str = "<html><body><h1>Hello from Sockbench</h1>\
<p>This page is a reply rule.</p></body></html>\n";

/// The request the HTTP lesson puts in the composer (escapes on).
pub const GET_REQUEST: &str = "GET / HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n";

pub(super) const HTTP_GET: Lesson = Lesson {
    id: LessonId::HttpGet,
    title: bi("An HTTP GET by hand", "手写一个 HTTP GET"),
    intro: bi(
        "HTTP is text over a TCP connection: the tutorial connects to a web \
         server and sends `GET / HTTP/1.1`, `Host` and a blank line, each line \
         ending \\r\\n, then reads with recv(1024) until b''. Start opens a \
         listener whose reply rule answers like a web server, a client, and \
         puts the request in the composer.",
        "HTTP 就是 TCP 连接上的文本：教程连上一个 Web 服务器，发送 \
         `GET / HTTP/1.1`、`Host` 和一个空行，每行以 \\r\\n 结尾，然后用 recv(1024) 一直读\
         到 b''。“开始”会打开一个像 Web 服务器那样应答的监听套接字和一个客户端，\
         并把请求填进发送框。",
    ),
    setup: Setup {
        replies: Replies::Web,
        composer: Some(GET_REQUEST),
        ..setup(Server::Tcp { reuse: true }, 1)
    },
    steps: &[
        READY,
        step_with(
            bi(
                "Select the client and click Send: the request goes out, its \
                 lines ending \\r\\n and a blank line at the end.",
                "选中客户端，点击“发送”：请求发出，每行以 \\r\\n 结尾，最后是一个空行。",
            ),
            SELECT_CLIENT,
            Check::Received(Role::Conn(0)),
        ),
        step(
            bi(
                "The reply comes back: a status line, headers, a blank line, \
                 then the page. Click its row to read all of it.",
                "应答回来了：状态行、响应头、一个空行，然后是网页。点击这一行可以\
                 读到全部内容。",
            ),
            Check::HttpReply,
        ),
        step(
            bi(
                "A browser or `curl` on `http://127.0.0.1:<the listener's port>/` \
                 gets the same page from the same rule.",
                "用浏览器或 `curl` 访问 `http://127.0.0.1:<监听端口>/`，同一条规则\
                 给出同样的网页。",
            ),
            Check::Read,
        ),
        step_with(
            bi(
                "A real web server: run \
                 `python3 -m http.server 8000 --bind 127.0.0.1` in a terminal, enter its port below and click \
                 Connect; then select the new client and Send the same request.",
                "真正的 Web 服务器：在终端里运行 \
                 `python3 -m http.server 8000 --bind 127.0.0.1`，在下面填入它的端口并点击“连接”；然后选中新的客户端，\
                 发送同样的请求。",
            ),
            (bi("Connect", "连接"), StepButton::ConnectToPort),
            Check::OtherServerReplied,
        ),
    ],
};
