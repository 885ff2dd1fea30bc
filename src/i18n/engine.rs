//! Chinese for the network errors the engine explains.

/// English → 简体中文.
pub(super) const ZH: &[(&str, &str)] = &[
    // The engine's own refusals (model/explain.rs).
    (
        "Host not found: \"{host}\" has no address",
        "找不到主机：“{host}”没有任何地址",
    ),
    (
        "Host not found: \"{host}\" could not be resolved ({detail})",
        "找不到主机：无法解析“{host}”（{detail}）",
    ),
    (
        "Socket {id} is closed; nothing was sent",
        "套接字 {id} 已关闭；未发送任何数据",
    ),
    (
        "Send queue full: {queued} bytes are still waiting to go out (at most {max} MiB may wait; the peer is not reading fast enough); these {len} bytes were not sent",
        "发送队列已满：还有 {queued} 字节等待发出（最多可等待 {max} MiB；对端读取得不够快）；这 {len} 字节未发送",
    ),
    (
        "Send queue full: {queued} bytes of datagrams are still waiting to go out (at most {max} MiB may wait); this datagram was not sent",
        "发送队列已满：还有 {queued} 字节的数据报等待发出（最多可等待 {max} MiB）；这个数据报未发送",
    ),
    (
        "Connection timed out (ETIMEDOUT): {at} did not answer within {secs} s",
        "连接超时（ETIMEDOUT）：{at} 在 {secs} 秒内没有应答",
    ),
    (
        "Message too long (EMSGSIZE): {len} bytes; a UDP datagram holds at most {max} bytes over IPv4; nothing was sent",
        "消息过长（EMSGSIZE）：{len} 字节；一个 UDP 数据报在 IPv4 上最多 {max} 字节；未发送任何数据",
    ),
    ("{call} failed", "{call} 失败"),
    ("Unix listener", "Unix 监听"),
    ("Unix client", "Unix 客户端"),
    ("Unix connection", "Unix 连接"),
    ("Unix datagram", "Unix 数据报"),
    (
        "Not for this socket: TCP_NODELAY applies to TCP only; nothing changed",
        "不适用于这个套接字：TCP_NODELAY 只适用于 TCP；未做任何更改",
    ),
    (
        "Not a socket: {at} exists and is not a socket file; it was left alone. Choose another path",
        "不是套接字：{at} 已存在且不是套接字文件；Sockbench 没有动它。请换一个路径",
    ),
    (
        "Stale socket file: {at} is left from a socket that no longer listens (connect() is refused). Tick \"Remove a stale socket file\" to remove it and bind again; nothing was removed",
        "残留的套接字文件：{at} 是一个已不再监听的套接字留下的（connect() 被拒绝）。勾选“删除残留的套接字文件”即可删除它并重新绑定；目前什么也没有删除",
    ),
    (
        "Wrong address family: this socket cannot send to {at}; nothing was sent",
        "地址族不符：这个套接字不能发送到 {at}；未发送任何数据",
    ),
    ("Address already in use", "地址已被占用"),
    ("Address family not supported", "不支持该地址族"),
    ("Address not available", "地址不可用"),
    ("Broken pipe", "管道已断开"),
    (
        "Cannot send: this side is shut down for writing (or closing); nothing was sent",
        "无法发送：本端已关闭写（或正在关闭）；未发送任何数据",
    ),
    ("Connection aborted", "连接已中止"),
    ("Connection refused", "连接被拒绝"),
    ("Connection reset", "连接被复位"),
    ("Connection timed out", "连接超时"),
    (
        "Host not found: the name resolved to no address",
        "找不到主机：该名称没有解析出任何地址",
    ),
    ("Host unreachable", "主机不可达"),
    ("Invalid argument", "参数无效"),
    ("Message too long", "消息过长"),
    ("Network unreachable", "网络不可达"),
    ("No buffer space available", "缓冲区空间不足"),
    (
        "No clients: the listener has no connected clients to send to",
        "没有客户端：监听套接字没有可发送的已连接客户端",
    ),
    (
        "No destination: give a peer address or set the socket's default peer; nothing was sent",
        "没有目标地址：请填写对端地址或设置套接字的默认对端；未发送任何数据",
    ),
    ("Not connected", "未连接"),
    (
        "Not connected yet: set this once the client is connected; nothing changed",
        "尚未连接：请在客户端连接后再设置；未做任何更改",
    ),
    (
        "Not connected yet: the client is still connecting; nothing was sent",
        "尚未连接：客户端仍在连接中；未发送任何数据",
    ),
    (
        "Not for UDP: TCP_NODELAY and closing on the peer's close apply to TCP only",
        "不适用于 UDP：TCP_NODELAY 和对端关闭时关闭只适用于 TCP",
    ),
    ("Permission denied", "权限不足"),
    ("Too many open files", "打开的文件过多"),
    (
        "a UDP datagram holds at most 65,507 bytes over IPv4 (65,527 over IPv6)",
        "一个 UDP 数据报在 IPv4 上最多 65,507 字节（IPv6 上 65,527 字节）",
    ),
    (
        "a UDP datagram holds at most 65,507 bytes over IPv4 (65,527 over IPv6); nothing was sent",
        "一个 UDP 数据报在 IPv4 上最多 65,507 字节（IPv6 上 65,527 字节）；未发送任何数据",
    ),
    (
        "the kernel holds {at} for another socket",
        "内核已把 {at} 留给另一个套接字",
    ),
    ("not allowed to bind {at}", "不允许绑定 {at}"),
    ("nothing listens on {at}", "{at} 上没有程序在监听"),
    (
        "ports below 1024 need root or CAP_NET_BIND_SERVICE (binding {at}); pick a port of 1024 or more",
        "1024 以下的端口需要 root 权限或 CAP_NET_BIND_SERVICE（绑定 {at}）；请选用 1024 及以上的端口",
    ),
    ("the address", "该地址"),
    (
        "the connection with {at} was aborted",
        "与 {at} 的连接已中止",
    ),
    (
        "the limit on open sockets is reached; close some",
        "已达到打开套接字的数量上限；请关闭一些",
    ),
    (
        "the socket cannot be bound to {at} (already bound, or a wrong address family)",
        "套接字无法绑定到 {at}（已经绑定过，或地址族不对）",
    ),
    ("the socket is not connected", "套接字未连接"),
    (
        "the system is out of memory for sockets",
        "系统用于套接字的内存不足",
    ),
    (
        "the system refused {call} on {at} (a firewall, or a broadcast address without SO_BROADCAST)",
        "系统拒绝了对 {at} 的 {call}（防火墙，或未设置 SO_BROADCAST 就使用广播地址）",
    ),
    (
        "there is no route to the network of {host}",
        "没有通往 {host} 所在网络的路由",
    ),
    (
        "this machine cannot use the address family of {at} (IPv6 turned off?)",
        "本机无法使用 {at} 的地址族（IPv6 被关闭了？）",
    ),
    ("{at} did not answer", "{at} 没有应答"),
    (
        "{at} has closed the connection; the data could not be sent",
        "{at} 已关闭连接；数据无法发出",
    ),
    ("{at} reset the connection", "{at} 复位了连接"),
    ("{call} on {at}", "{at} 上的 {call}"),
    (
        "{host} cannot be reached from here",
        "从这里无法到达 {host}",
    ),
    (
        "{host} is not an address of this machine",
        "{host} 不是本机的地址",
    ),
    ("{title} ({name}): {why}", "{title}（{name}）：{why}"),
];
