//! Chinese for files (sending a file, saving received bytes, exporting
//! the log, workspaces) and statistics.

/// English → 简体中文.
pub(super) const ZH: &[(&str, &str)] = &[
    (
        " ({missed} received before were no longer in the log)",
        "（之前收到的 {missed} 已不在日志里）",
    ),
    (
        "A file is already being sent on this socket: wait for it or cancel it; nothing was sent",
        "这个套接字正在发送一个文件：等它发完或取消它；没有发送任何数据",
    ),
    ("Browse…", "浏览…"),
    ("Bytes per datagram", "每个数据报的字节数"),
    ("Cancel", "取消"),
    ("Cancel file", "取消发送文件"),
    (
        "Choose with the desktop's file dialog",
        "用桌面的文件对话框选择",
    ),
    (
        "Could not save to {path}: {error}",
        "无法保存到 {path}：{error}",
    ),
    ("Export", "导出"),
    ("Export failed: {e}", "导出失败：{e}"),
    ("Export the log", "导出日志"),
    ("Export the log…", "导出日志…"),
    (
        "Exported {rows} rows to {path}",
        "已导出 {rows} 行到 {path}",
    ),
    ("File", "文件"),
    ("Files", "文件"),
    (
        "First write what the log still holds of it",
        "先写入日志里还保留的它的数据",
    ),
    ("Format", "格式"),
    (
        "Write the log's rows to a file: text, hex dump, CSV or JSON lines",
        "把日志的行写入文件：文本、十六进制转储、CSV 或 JSON 行",
    ),
    ("Gap (ms)", "间隔（毫秒）"),
    ("Hex dump", "十六进制转储"),
    ("JSON lines", "JSON 行"),
    (
        "No file was chosen. If no dialog appeared, this desktop has no file dialog (XDG portal): type the path instead.",
        "没有选择文件。如果没有出现对话框，说明这个桌面没有文件对话框（XDG portal）：请直接输入路径。",
    ),
    (
        "Not for a listener: select one of its connections to send a file on; nothing was sent",
        "不能用监听套接字发送：请选择它的一个连接来发送文件；没有发送任何数据",
    ),
    ("On {socket}", "通过 {socket}"),
    (
        "Only the rows shown (the socket filter)",
        "只导出显示的行（套接字筛选）",
    ),
    (
        "Read and sent in pieces as the socket takes them (at most 1 MiB waits at a time).",
        "按套接字能接收的速度分块读取并发送（同时最多 1 MiB 在等待）。",
    ),
    ("Save received bytes", "保存收到的字节"),
    ("Save received bytes…", "保存收到的字节…"),
    ("Saving failed: {e}", "保存失败：{e}"),
    (
        "Select a connected client, a connection or a datagram socket (a listener sends through its connections)",
        "请选择已连接的客户端、一个连接或数据报套接字（监听套接字通过它的连接发送）",
    ),
    ("Send a file", "发送文件"),
    (
        "Send a file's bytes on this socket (a connection, a client or a datagram socket)",
        "通过这个套接字发送一个文件的字节（连接、客户端或数据报套接字）",
    ),
    ("Send a file…", "发送文件…"),
    ("Send file…", "发送文件…"),
    ("Send the file", "发送这个文件"),
    ("Start saving", "开始保存"),
    ("Stop saving", "停止保存"),
    (
        "The wait between datagrams (0: as fast as the socket takes them)",
        "数据报之间的等待（0：套接字能收多快就发多快）",
    ),
    (
        "Type a file path, or choose one with Browse….",
        "请输入文件路径，或用“浏览…”选择。",
    ),
    (
        "What {socket} receives from now on",
        "{socket} 从现在起收到的数据",
    ),
    (
        "Write every byte this socket receives to a file, from now on",
        "从现在起把这个套接字收到的每个字节写入文件",
    ),
    ("all sent", "全部已发送"),
    ("cancelled", "已取消"),
    ("file", "文件"),
    (
        "sending the file {name} ({total} bytes)",
        "正在发送文件 {name}（{total} 字节）",
    ),
    (
        "the file {name}: {sent} of {total} bytes sent ({how})",
        "文件 {name}：已发送 {sent} / {total} 字节（{how}）",
    ),
    ("the socket closed first", "套接字先关闭了"),
    ("to {to}", "发往 {to}"),
    ("{bytes} written to {path}", "已写入 {bytes} 到 {path}"),
    ("{name}: {sent} of {total}", "{name}：{sent} / {total}"),
    ("{rows} rows in the log", "日志里有 {rows} 行"),
    (
        "Could not open the workspace: {error}",
        "无法打开工作区：{error}",
    ),
    (
        "Could not save the workspace: {error}",
        "无法保存工作区：{error}",
    ),
    (
        "Its sockets open beside those open now; its composer, quick-send items and lab settings replace the current ones.",
        "它的套接字会在当前已打开的套接字之外再打开；它的发送区、快捷发送项和实验室设置会替换当前的。",
    ),
    ("Open", "打开"),
    ("Open a workspace", "打开工作区"),
    (
        "Open this workspace when Sockbench starts",
        "Sockbench 启动时打开这个工作区",
    ),
    ("Open workspace…", "打开工作区…"),
    ("Save", "保存"),
    ("Save the workspace", "保存工作区"),
    ("Save workspace…", "保存工作区…"),
    ("Saved to {path}", "已保存到 {path}"),
    (
        "The open sockets (not accepted connections) with their encodings, reconnect waits and reply rules; the composer, quick-send items and lab settings. TOML, readable and editable.",
        "已打开的套接字（不含接受的连接）及其编码、重连等待和自动回复规则；发送区、快捷发送项和实验室设置。TOML 格式，可读可编辑。",
    ),
    (
        "Workspace {path}: not opened: {errors}",
        "工作区 {path}：未能打开：{errors}",
    ),
    ("All sockets", "所有套接字"),
    ("Average of the last {n} s", "最近 {n} 秒的平均值"),
    ("Bytes a second", "每秒字节数"),
    (
        "In all: {in} received in {reads}, {out} sent in {sends}",
        "合计：收到 {in}（{reads} 次），发送 {out}（{sends} 次）",
    ),
    ("Last second", "上一秒"),
    ("Messages a second", "每秒消息数"),
    (
        "Round trip (a send to the next receive), newest {n}: p50 {p50}, p95 {p95}, p99 {p99}, max {max}",
        "往返时间（从一次发送到下一次接收），最近 {n} 次：p50 {p50}，p95 {p95}，p99 {p99}，最大 {max}",
    ),
    (
        "Round trip: none yet (measured from a send to the next receive on the same socket)",
        "往返时间：还没有（从同一个套接字的一次发送算到下一次接收）",
    ),
    ("Selected socket", "选中的套接字"),
    ("Statistics", "统计"),
    ("bytes in/s", "收字节/秒"),
    ("bytes out/s", "发字节/秒"),
    ("in", "收"),
    ("messages in/s", "收消息/秒"),
    ("messages out/s", "发消息/秒"),
    ("out", "发"),
    ("seconds ago", "秒前"),
    ("Copied the program", "已复制程序"),
];
