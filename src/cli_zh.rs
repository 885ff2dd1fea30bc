//! The command line's help in Chinese, used when the locale is Chinese
//! (`LC_ALL`, `LC_MESSAGES` or `LANG` starting with `zh`): the same options
//! and spec forms, with the tutorials' words (see the glossary).

use clap::{Arg, ArgAction, Command};

/// Whether the locale asks for Chinese: the first of `LC_ALL`,
/// `LC_MESSAGES`, `LANG` that is set and not empty starts with `zh`.
pub fn locale_is_chinese(var: impl Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| var(k).filter(|v| !v.is_empty()))
        .is_some_and(|v| v.starts_with("zh"))
}

const ABOUT: &str = "桌面套接字调试工具：TCP 服务端、TCP 客户端、UDP 和 Unix 套接字；以文本或十六进制发送，看清每一个字节。";

const LONG_ABOUT: &str = "\
桌面套接字调试工具：打开 TCP 服务端（监听）、TCP 客户端、UDP 套接字和 Unix \
域套接字，以文本或十六进制发送，看清收发的每一个字节。

套接字可以在窗口里打开，也可以在启动时用 --open 打开。没有给出地址时，监听套接字和 \
UDP 套接字绑定 127.0.0.1（只有本机能连）：要接受其他机器的连接，请用 0.0.0.0 或 [::]。";

const AFTER_HELP: &str = "\
示例：
  sockbench --open tcp-listen:9000 --open tcp-connect:127.0.0.1:9000
  sockbench --open udp:0.0.0.0:9001,peer=127.0.0.1:9002 --capture session.jsonl

用 --help 查看所有 SPEC 写法和记录文件的格式。";

const AFTER_LONG_HELP: &str = "\
套接字 SPEC（--open）：
  tcp-listen:[地址:]端口[,backlog=N]
      监听 TCP 连接。不写地址时绑定 127.0.0.1。端口 0 表示由系统挑一个空闲端口。
      backlog 默认 128；会设置 SO_REUSEADDR。
  tcp-connect:主机:端口
      作为 TCP 客户端发起连接。主机可以是域名（在后台解析）或地址；IPv6 地址要加方括号。
  udp:[地址:]端口[,peer=地址:端口][,recv=N]
      绑定一个 UDP 套接字（不写地址时为 127.0.0.1）。peer= 设定发送时没有指定目的地址
      时发往哪里，必须与绑定地址同属一个地址族。recv= 是接收一个数据报的缓冲区大小，
      1 到 65536 字节（默认 65536）；更长的数据报会被截断并标出。
  unix-listen:路径[,backlog=N][,remove-stale]
      在 Unix 流式套接字（AF_UNIX）上监听。路径是文件路径（不含逗号，最多 107 字节），
      或 @名字 表示 Linux 抽象名字（没有文件；\\xNN 可写任意字节）。如果路径上是一个
      没人监听的套接字文件（之前的程序留下的），绑定会失败，除非给出 remove-stale；
      不是套接字的文件永远不会被删除。监听套接字关闭时会删除它的套接字文件。
  unix-connect:路径
      连接一个 Unix 流式监听套接字。
  unix-dgram:路径[,peer=路径][,recv=N][,remove-stale]
      绑定一个 Unix 数据报套接字；peer= 是没有指定目的地址时发往哪里。

记录文件（--capture）：
  每个套接字的每个事件发生时都写成一行 JSON。文件新建，只有所有者可读（0600）；
  文件已存在时 Sockbench 拒绝启动，不会覆盖它，除非给出 --append（追加到末尾）。
  每行有 \"time\"（RFC 3339 UTC，精确到微秒）、\"unix_us\"、\"socket\"（#编号）、
  \"event\"（resolving、connecting、connected、listening、accepted、bound、received、
  sent、kernel_drops、peer_closed、write_shutdown、failed、closed、call、configured、
  periodic、reading、writable、port_state），以及已知时的 \"local\" 和 \"peer\" 地址
  （UDP 数据的 \"peer\" 是数据报的发送方或目的地址）。数据行带 \"len\" 和 \"hex\"
  （小写十六进制的原始字节）；失败带 \"error\" 和 \"errno\"（如 ECONNREFUSED）；
  关闭带 \"reason\" 和 \"unsent_bytes\"。地址写成文本：IP 为 127.0.0.1:9000 和
  [::1]:9000；Unix 套接字为原样路径（以 @ 开头的相对路径前面加 ./），抽象名字为
  @名字（不可打印的字节写成 \\xNN，反斜杠写成 \\\\），未命名的 Unix 套接字
  （从未绑定的客户端）为 \"\"。

无窗口模式（--headless）：
  同一个引擎，但没有窗口。每个事件在标准输出上打印一行：
    2026-12-04T17:30:01.123456Z #2 received 127.0.0.1:9000 <- 127.0.0.1:53422 5 B \"hello\"
  （数据写成长度和按 --encoding 解码的文本，无法解码的字节写成 \\xNN），
  或加 --json 时打印记录文件的 JSON 行。--capture 与窗口模式相同。
  Ctrl+C 或 SIGTERM 会关闭所有套接字、打印它们最后的事件并退出；最后一个打开的
  套接字关闭时也会退出。
  退出码：0 被信号停止，或所有套接字都无错误地关闭；1 所有套接字都已关闭且其中
  有一个出错（bind 或 connect 失败、连接被复位），或写输出失败；2 命令行有误，
  或 --capture 的文件已存在。

示例：
  sockbench --headless --open tcp-listen:9000
  sockbench --headless --json --open udp:9001 --capture session.jsonl
  sockbench --open tcp-listen:9000
  sockbench --workspace lab.toml
  sockbench --lesson sticky
  sockbench --open tcp-listen:0.0.0.0:9000 --open tcp-connect:127.0.0.1:9000
  sockbench --open tcp-listen:[::]:9000,backlog=16
  sockbench --open tcp-connect:example.com:80
  sockbench --open tcp-connect:[::1]:80
  sockbench --open udp:0.0.0.0:9001 --open udp:9002,peer=127.0.0.1:9001
  sockbench --open udp:9001 --capture session.jsonl
  sockbench --open unix-listen:/tmp/demo.sock --open unix-connect:/tmp/demo.sock
  sockbench --open unix-dgram:/tmp/a.sock,peer=/tmp/b.sock --open unix-dgram:/tmp/b.sock
  sockbench --open unix-listen:@demo";

/// Each option's help in Chinese, by its id.
const ARGS: &[(&str, &str)] = &[
    (
        "open",
        "启动时打开一个套接字，可重复。SPEC 为 tcp-listen:[地址:]端口、tcp-connect:主机:端口 \
         或 udp:[地址:]端口[,peer=地址:端口]（监听时不写地址则绑定 127.0.0.1；见下文）",
    ),
    (
        "capture",
        "把每个事件以 JSON 行记录到 FILE（每个事件一个对象，含时间、套接字、地址和十六进制的\
         原始字节；见下文）。FILE 必须还不存在（新建，只有你能读）；已有的文件永远不会被覆盖：\
         见 --append",
    ),
    (
        "workspace",
        "打开一个工作区（用 文件 → 保存工作区… 保存的 TOML 文件）：其中的套接字、编码、重连等待、\
         自动回复规则、发送区、快捷发送和实验室设置",
    ),
    (
        "lesson",
        "打开课程面板，停在名为 NAME 的一课并开始：tcp-echo、chat、multi-client、udp、sticky、\
         length-prefix、gbk-utf8、unix、ipv6、reuseaddr 或 http-get",
    ),
    ("append", "与 --capture 一起用：FILE 已存在时追加到末尾"),
    (
        "headless",
        "不开窗口运行：把每个事件打印到标准输出（文本，或加 --json 时为 JSON 行），直到 \
         Ctrl+C / SIGTERM，或所有套接字都已关闭。至少需要一个 --open。退出码见下文",
    ),
    (
        "json",
        "与 --headless 一起用：打印记录文件的 JSON 行而不是文本",
    ),
    (
        "encoding",
        "显示收到的字节和发送文本时用的编码：utf-8、gbk、gb18030、big5、shift_jis 或 latin1\
         （ISO-8859-1）。不给出时用上次选择的编码（最初为 UTF-8）",
    ),
];

/// `cmd` with its help in Chinese.
pub fn chinese(mut cmd: Command) -> Command {
    for (id, help) in ARGS {
        cmd = cmd.mut_arg(*id, |a| a.help(*help).long_help(None::<&str>));
    }
    cmd.about(ABOUT)
        .long_about(LONG_ABOUT)
        .after_help(AFTER_HELP)
        .after_long_help(AFTER_LONG_HELP)
        .help_template("{about-with-newline}\n用法：{usage}\n\n选项：\n{options}{after-help}")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help-short")
                .short('h')
                .action(ArgAction::HelpShort)
                .help("显示摘要帮助（--help 显示完整帮助）"),
        )
        .arg(
            Arg::new("help")
                .long("help")
                .action(ArgAction::HelpLong)
                .help("显示完整帮助"),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本"),
        )
}

/// A wrong command line's error in Chinese: what is wrong, with clap's
/// own suggestion and the usage line, and where the help is.
pub fn error_text(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let get = |k| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("、"),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let mut out = match e.kind() {
        ErrorKind::UnknownArgument => format!("错误：不认识的参数 '{arg}'"),
        ErrorKind::InvalidValue if value.is_empty() => format!("错误：参数 {arg} 缺少值"),
        ErrorKind::InvalidValue => {
            let valid = get(ContextKind::ValidValue);
            let mut t = format!("错误：'{value}' 不是 {arg} 的有效值");
            if !valid.is_empty() {
                t.push_str(&format!("（可用的值：{valid}）"));
            }
            t
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e).map(ToString::to_string);
            match why {
                Some(why) => format!("错误：'{value}' 不是 {arg} 的有效值：{why}"),
                None => format!("错误：'{value}' 不是 {arg} 的有效值"),
            }
        }
        ErrorKind::MissingRequiredArgument => {
            format!("错误：缺少必需的参数：{arg}")
        }
        ErrorKind::ArgumentConflict => {
            let prior = get(ContextKind::PriorArg);
            format!("错误：参数 {arg} 不能与 {prior} 一起使用")
        }
        ErrorKind::NoEquals
        | ErrorKind::TooManyValues
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => format!("错误：参数 {arg} 的值的个数不对"),
        _ => {
            // Kinds the window's command line cannot produce: clap's words.
            return e.to_string();
        }
    };
    let suggested = get(ContextKind::SuggestedArg);
    if !suggested.is_empty() {
        out.push_str(&format!("\n\n  提示：也许你想用 '{suggested}'"));
    }
    let usage = get(ContextKind::Usage);
    if !usage.is_empty() {
        let usage = usage
            .trim_start_matches("Usage:")
            .trim_start_matches("用法：")
            .trim();
        out.push_str(&format!("\n\n用法：{usage}"));
    }
    out.push_str("\n\n运行 'sockbench --help' 查看完整帮助。");
    out
}
