//! The lessons: short pages that follow the tutorials (TCP echo, chat, a
//! multi-client server, UDP, sticky packets, length prefixes, GBK vs
//! UTF-8, AF_UNIX, IPv6, SO_REUSEADDR, an HTTP GET), each with what it
//! opens and steps that tick themselves off from what the sockets did.
//!
//! The text of a lesson is written in both languages side by side
//! ([`Bi`]): a paragraph is easier to keep true in two languages when
//! both are in one place than as a key in a table.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::codec::framing::Framing;
use crate::codec::text::TextEncoding;
use crate::engine::{SocketId, SocketSpec};
use crate::i18n::{Lang, lang};
use crate::model::Model;
use crate::model::session::{Session, SessionState};
use crate::rules::{Rule, RuleSet, When};
use crate::ui::CentralView;

mod pages;
use pages::{
    CHAT, ENCODING, HTTP_GET, IPV6, LENGTH_PREFIX, MULTI_CLIENT, REUSE_ADDR, STICKY, TCP_ECHO, UDP,
    UNIX,
};
pub use pages::{GET_REQUEST, WEB_PAGE};

/// A text in English and in Chinese.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bi {
    /// English.
    pub en: &'static str,
    /// 简体中文.
    pub zh: &'static str,
}

impl Bi {
    /// The text in this thread's language.
    pub fn text(self) -> &'static str {
        match lang() {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

const fn bi(en: &'static str, zh: &'static str) -> Bi {
    Bi { en, zh }
}

/// One of the lessons.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum LessonId {
    /// A TCP echo server.
    #[default]
    TcpEcho,
    /// Both ends of a TCP connection talking.
    Chat,
    /// A server serving several clients at once.
    MultiClient,
    /// UDP datagrams.
    Udp,
    /// recv(1024) and sticky packets.
    Sticky,
    /// A struct length prefix.
    LengthPrefix,
    /// GBK vs UTF-8.
    Encoding,
    /// AF_UNIX.
    Unix,
    /// IPv6.
    Ipv6,
    /// SO_REUSEADDR and TIME_WAIT.
    ReuseAddr,
    /// An HTTP GET by hand.
    HttpGet,
}

impl LessonId {
    /// Every lesson, in the order they are taught.
    pub const ALL: [LessonId; 11] = [
        LessonId::TcpEcho,
        LessonId::Chat,
        LessonId::MultiClient,
        LessonId::Udp,
        LessonId::Sticky,
        LessonId::LengthPrefix,
        LessonId::Encoding,
        LessonId::Unix,
        LessonId::Ipv6,
        LessonId::ReuseAddr,
        LessonId::HttpGet,
    ];

    /// Its name on the command line (`--lesson sticky`).
    pub fn name(self) -> &'static str {
        match self {
            LessonId::TcpEcho => "tcp-echo",
            LessonId::Chat => "chat",
            LessonId::MultiClient => "multi-client",
            LessonId::Udp => "udp",
            LessonId::Sticky => "sticky",
            LessonId::LengthPrefix => "length-prefix",
            LessonId::Encoding => "gbk-utf8",
            LessonId::Unix => "unix",
            LessonId::Ipv6 => "ipv6",
            LessonId::ReuseAddr => "reuseaddr",
            LessonId::HttpGet => "http-get",
        }
    }

    /// The lesson named `name` (see [`LessonId::name`]).
    pub fn from_name(name: &str) -> Option<LessonId> {
        LessonId::ALL.into_iter().find(|l| l.name() == name.trim())
    }

    /// The lesson's page.
    pub fn lesson(self) -> &'static Lesson {
        match self {
            LessonId::TcpEcho => &TCP_ECHO,
            LessonId::Chat => &CHAT,
            LessonId::MultiClient => &MULTI_CLIENT,
            LessonId::Udp => &UDP,
            LessonId::Sticky => &STICKY,
            LessonId::LengthPrefix => &LENGTH_PREFIX,
            LessonId::Encoding => &ENCODING,
            LessonId::Unix => &UNIX,
            LessonId::Ipv6 => &IPV6,
            LessonId::ReuseAddr => &REUSE_ADDR,
            LessonId::HttpGet => &HTTP_GET,
        }
    }

    /// Its title, in this thread's language.
    pub fn title(self) -> &'static str {
        self.lesson().title.text()
    }
}

/// What a lesson opens when started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// A TCP listener on 127.0.0.1 (`reuse`: with SO_REUSEADDR).
    Tcp {
        /// Set SO_REUSEADDR.
        reuse: bool,
    },
    /// A TCP listener on ::1.
    Tcp6,
    /// A UDP socket on 127.0.0.1.
    Udp,
    /// A Unix stream listener on a path in the temporary directory.
    Unix,
}

/// The reply rules a lesson gives its server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replies {
    /// None.
    None,
    /// Echo.
    Echo,
    /// `Hello, <what arrived>!`, as the tutorial's threaded server.
    Hello,
    /// A web server's answer to a `GET`.
    Web,
}

/// What a lesson opens and sets up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setup {
    /// The server side.
    pub server: Server,
    /// How many clients (UDP: sockets aimed at the server).
    pub clients: usize,
    /// The server's reply rules.
    pub replies: Replies,
    /// The clients' encoding, when not the display encoding.
    pub client_encoding: Option<TextEncoding>,
    /// The tab to show.
    pub view: Option<CentralView>,
    /// The lab's framing: a 4-byte big-endian length prefix.
    pub length_prefix: bool,
    /// Text put in the composer (with escapes on).
    pub composer: Option<&'static str>,
}

const fn setup(server: Server, clients: usize) -> Setup {
    Setup {
        server,
        clients,
        replies: Replies::None,
        client_encoding: None,
        view: None,
        length_prefix: false,
        composer: None,
    }
}

/// One of a lesson's sockets, by its part in the lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The listener (or the first UDP socket).
    Server,
    /// The `n`th client.
    Client(usize),
    /// The `n`th connection the listener accepted.
    Conn(usize),
}

/// A button on a step: a shortcut for what the step says to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepButton {
    /// Select a socket.
    Select(Role),
    /// Select a socket and show a tab.
    Show(Role, CentralView),
    /// `close()` a socket.
    Close(Role),
    /// Open the lesson's listener again on its port.
    Reopen {
        /// With SO_REUSEADDR.
        reuse: bool,
    },
    /// Connect a client to 127.0.0.1 on the port typed in the lesson.
    ConnectToPort,
}

/// What shows a step was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Nothing to check: the step is reading or doing something outside.
    Read,
    /// The lesson's sockets are open (and connected).
    Ready,
    /// This socket received bytes.
    Received(Role),
    /// This socket sent at least `n` times.
    Sent(Role, u64),
    /// Every client received a reply, and every connection sent twice
    /// (a reply and a send to all).
    EveryClientAnswered,
    /// Every connection sent at least twice.
    BroadcastSent,
    /// This socket is selected and this tab shows.
    Showing(Role, CentralView),
    /// The first connection's reading is paused.
    Paused,
    /// One `recv()` of the first connection held two sends or more.
    Stuck,
    /// The first client's slow send was read in pieces.
    Split,
    /// One `recv()` held three whole length-prefixed messages.
    FramedStuck,
    /// The first connection shows its text as GBK.
    ConnReadsGbk,
    /// This socket is closed.
    Closed(Role),
    /// A listener opened again on the lesson's port was refused
    /// (EADDRINUSE).
    Refused,
    /// A listener opened again on the lesson's port listens.
    Relistening,
    /// The first client received a reply starting `HTTP/`.
    HttpReply,
    /// The client opened by [`StepButton::ConnectToPort`] received a
    /// reply starting `HTTP/`.
    OtherServerReplied,
}

/// One step of a lesson.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    /// What to do and what it shows.
    pub text: Bi,
    /// A shortcut button.
    pub button: Option<(Bi, StepButton)>,
    /// When it counts as done.
    pub check: Check,
}

const fn step(text: Bi, check: Check) -> Step {
    Step {
        text,
        button: None,
        check,
    }
}

const fn step_with(text: Bi, button: (Bi, StepButton), check: Check) -> Step {
    Step {
        text,
        button: Some(button),
        check,
    }
}

/// A lesson's page.
#[derive(Debug)]
pub struct Lesson {
    /// Which.
    pub id: LessonId,
    /// Its title.
    pub title: Bi,
    /// Which tutorial (in `seeds/`) it follows, and what it teaches.
    pub intro: Bi,
    /// What it opens.
    pub setup: Setup,
    /// What to click, in order.
    pub steps: &'static [Step],
}

/// A started lesson: the sockets it opened.
#[derive(Clone, Debug, Default)]
pub struct LessonRun {
    /// Which lesson.
    pub lesson: LessonId,
    /// Its server (listener or first UDP socket).
    pub server: Option<SocketId>,
    /// Its clients, opened once the server has its address.
    pub clients: Vec<SocketId>,
    /// Clients still to open.
    pub to_open: usize,
    /// The server's port (TCP), once known.
    pub port: Option<u16>,
    /// Listeners opened again on the port ([`StepButton::Reopen`]).
    pub reopened: Vec<SocketId>,
    /// A client opened to another server ([`StepButton::ConnectToPort`]).
    pub other: Option<SocketId>,
    /// A Unix listener's path.
    pub path: Option<std::path::PathBuf>,
    /// The steps seen done (a step stays done: reading paused, then
    /// resumed, was still done).
    pub done: Vec<bool>,
    /// The first connection was selected (a lesson shown in the lab
    /// selects it once, when it is accepted).
    pub conn_shown: bool,
    /// Why the port typed for [`StepButton::ConnectToPort`] is not one.
    pub port_error: Option<String>,
}

/// What a step's check looks at besides the model.
pub struct Seen<'a> {
    /// The sockets.
    pub model: &'a Model,
    /// The lesson's sockets.
    pub run: &'a LessonRun,
    /// The tab shown.
    pub view: CentralView,
    /// The selected socket.
    pub selected: Option<SocketId>,
    /// The lab's framing.
    pub framing: Option<Framing>,
}

impl Seen<'_> {
    /// The socket playing `role`, if it exists.
    pub fn socket(&self, role: Role) -> Option<&Session> {
        self.run.socket(self.model, role)
    }

    /// Whether `check` holds.
    pub fn holds(&self, check: Check) -> bool {
        let got = |role| self.socket(role).is_some_and(|s| s.counters.bytes_in > 0);
        match check {
            Check::Read => false,
            Check::Ready => self.ready(),
            Check::Received(role) => got(role),
            Check::Sent(role, n) => self.socket(role).is_some_and(|s| s.counters.msgs_out >= n),
            Check::EveryClientAnswered => {
                !self.run.clients.is_empty()
                    && (0..self.run.clients.len()).all(|i| got(Role::Client(i)))
            }
            Check::BroadcastSent => {
                let n = self.run.clients.len();
                n > 0
                    && (0..n).all(|i| {
                        self.socket(Role::Conn(i))
                            .is_some_and(|s| s.counters.msgs_out >= 2)
                    })
            }
            Check::Showing(role, view) => {
                self.view == view
                    && self.selected.is_some()
                    && self.socket(role).map(|s| s.id) == self.selected
            }
            Check::Paused => self.socket(Role::Conn(0)).is_some_and(|s| s.reading_paused),
            Check::Stuck => self.stuck(2),
            Check::Split => self.split(),
            Check::FramedStuck => self.framed_stuck(),
            Check::ConnReadsGbk => self
                .socket(Role::Conn(0))
                .is_some_and(|s| s.encoding == TextEncoding::Gbk && s.counters.bytes_in > 0),
            Check::Closed(role) => self.socket(role).is_some_and(|s| s.state.is_closed()),
            Check::Refused => self.reopened().any(|s| {
                s.last_error
                    .as_ref()
                    .is_some_and(|e| e.kind == std::io::ErrorKind::AddrInUse)
            }),
            Check::Relistening => self.reopened().any(|s| s.state == SessionState::Listening),
            Check::HttpReply => self.http_reply(self.run.clients.first().copied()),
            Check::OtherServerReplied => self.http_reply(self.run.other),
        }
    }

    fn reopened(&self) -> impl Iterator<Item = &Session> {
        self.run
            .reopened
            .iter()
            .filter_map(|id| self.model.sessions.get(id).map(|s| &**s))
    }

    /// The server and every client are open (and, on TCP, every client
    /// accepted).
    fn ready(&self) -> bool {
        let Some(server) = self.socket(Role::Server) else {
            return false;
        };
        let lesson = self.run.lesson.lesson();
        let live = |s: &Session| !s.state.is_closed() && s.local.is_some();
        if !live(server) || self.run.to_open > 0 {
            return false;
        }
        let clients = lesson.setup.clients;
        if self.run.clients.len() < clients {
            return false;
        }
        match lesson.setup.server {
            Server::Udp => (0..clients).all(|i| self.socket(Role::Client(i)).is_some_and(live)),
            _ => (0..clients).all(|i| {
                self.socket(Role::Client(i))
                    .is_some_and(|s| s.state == SessionState::Connected)
                    && self.socket(Role::Conn(i)).is_some()
            }),
        }
    }

    /// One `recv()` of the first connection held `n` sends or more.
    fn stuck(&self, n: usize) -> bool {
        let (Some(conn), Some(client)) = (self.socket(Role::Conn(0)), self.socket(Role::Client(0)))
        else {
            return false;
        };
        conn.lab
            .recvs()
            .iter()
            .any(|r| crate::model::lab::sends_in(r, client.lab.sends()).len() >= n)
    }

    /// The first client's slow send (one payload in several `send()`s)
    /// ended, every byte arrived, and the last `recv()` held less than the
    /// whole payload: it was read in pieces.
    fn split(&self) -> bool {
        let (Some(conn), Some(client)) = (self.socket(Role::Conn(0)), self.socket(Role::Client(0)))
        else {
            return false;
        };
        let Some(slow) = client.periodic_in(crate::quick::SLOW_SLOT) else {
            return false;
        };
        let pieces = usize::try_from(slow.sent).unwrap_or(usize::MAX);
        if slow.running || pieces < 2 || conn.counters.bytes_in < client.counters.bytes_out {
            return false;
        }
        let sends = client.lab.sends();
        let payload: u64 = sends.iter().rev().take(pieces).map(|s| s.len).sum();
        conn.lab.recvs().back().is_some_and(|r| r.len < payload)
    }

    /// One `recv()` held three sends, and the lab's length prefix cut the
    /// stream into three messages or more.
    fn framed_stuck(&self) -> bool {
        let Some(framing @ Framing::LengthPrefix { .. }) = &self.framing else {
            return false;
        };
        let Some(conn) = self.socket(Role::Conn(0)) else {
            return false;
        };
        self.stuck(3) && conn.lab.messages(framing, &self.model.log).messages.len() >= 3
    }

    fn http_reply(&self, id: Option<SocketId>) -> bool {
        let Some(id) = id else {
            return false;
        };
        self.model
            .log
            .entries()
            .find(|e| e.socket == id && e.kind == crate::model::log::EntryKind::Received)
            .is_some_and(|e| e.payload.starts_with(b"HTTP/"))
    }
}

impl LessonRun {
    /// The socket playing `role` in `model`.
    pub fn socket<'m>(&self, model: &'m Model, role: Role) -> Option<&'m Session> {
        let id = match role {
            Role::Server => self.server?,
            Role::Client(i) => *self.clients.get(i)?,
            Role::Conn(i) => {
                // The connection accepted for client `i`: the one whose
                // peer is that client's local address.
                let server = model.sessions.get(&self.server?)?;
                let client = model.sessions.get(self.clients.get(i)?)?;
                let local = client.local.as_ref()?;
                *server.children.iter().find(|c| {
                    model
                        .sessions
                        .get(c)
                        .is_some_and(|s| s.peer.as_ref() == Some(local))
                })?
            }
        };
        model.sessions.get(&id).map(|s| &**s)
    }
}

impl Lesson {
    /// The socket the lesson's server opens as.
    pub fn server_spec(&self, path: Option<&std::path::Path>) -> Option<SocketSpec> {
        Some(match self.setup.server {
            Server::Tcp { reuse } => SocketSpec::TcpListen {
                addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                backlog: 128,
                reuse_addr: reuse,
            },
            Server::Tcp6 => SocketSpec::TcpListen {
                addr: SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
                backlog: 128,
                reuse_addr: true,
            },
            Server::Udp => SocketSpec::Udp {
                addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                default_peer: None,
                recv_bytes: crate::engine::DEFAULT_UDP_RECV_BYTES,
            },
            Server::Unix => SocketSpec::UnixListen {
                path: crate::engine::UnixAddr::Path(path?.to_path_buf()),
                backlog: 128,
                remove_stale: true,
            },
        })
    }

    /// A client's socket, once the server's address is `server`.
    pub fn client_spec(&self, server: &crate::engine::Addr) -> Option<SocketSpec> {
        use crate::engine::Addr;
        Some(match (self.setup.server, server) {
            (Server::Tcp { .. } | Server::Tcp6, Addr::Ip(a)) => SocketSpec::TcpConnect {
                host: a.ip().to_string(),
                port: a.port(),
            },
            (Server::Udp, Addr::Ip(a)) => SocketSpec::Udp {
                addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                default_peer: Some(*a),
                recv_bytes: crate::engine::DEFAULT_UDP_RECV_BYTES,
            },
            (Server::Unix, Addr::Unix(path)) => SocketSpec::UnixConnect { path: path.clone() },
            _ => return None,
        })
    }

    /// The server's reply rules.
    pub fn rules(&self) -> Option<RuleSet> {
        let reply = |r: Rule| RuleSet {
            rules: vec![r],
            ..RuleSet::echo()
        };
        match self.setup.replies {
            Replies::None => None,
            Replies::Echo => Some(RuleSet::echo()),
            Replies::Hello => Some(reply(Rule {
                reply: "Hello, ${rx}!".into(),
                ..Rule::default()
            })),
            Replies::Web => Some(reply(Rule {
                when: When::StartsWith,
                value: "GET ".into(),
                reply: web_reply(),
                ..Rule::default()
            })),
        }
    }
}

/// The web rule's reply template: a status line, headers and the page.
/// `$` does not occur in it outside macros; the template's own escapes
/// give the `\r\n`s.
fn web_reply() -> String {
    let page = WEB_PAGE.replace('\n', "\\n");
    format!(
        "HTTP/1.0 200 OK\\r\\nContent-Type: text/html; charset=utf-8\\r\\n\
         Content-Length: {}\\r\\nConnection: close\\r\\n\\r\\n{page}",
        WEB_PAGE.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_has_both_languages_and_steps() {
        for id in LessonId::ALL {
            let l = id.lesson();
            assert_eq!(l.id, id);
            assert!(!l.steps.is_empty());
            let mut texts = vec![l.title, l.intro];
            texts.extend(l.steps.iter().map(|s| s.text));
            texts.extend(l.steps.iter().filter_map(|s| s.button.map(|b| b.0)));
            for t in texts {
                assert!(!t.en.is_empty() && !t.zh.is_empty(), "{t:?}");
                assert!(t.zh.chars().any(|c| c as u32 > 0x2e80), "{t:?} in Chinese");
            }
        }
    }

    #[test]
    fn every_lesson_has_a_command_line_name() {
        for id in LessonId::ALL {
            assert_eq!(LessonId::from_name(id.name()), Some(id));
        }
        assert_eq!(crate::cli::parse_lesson("sticky"), Ok(LessonId::Sticky));
        let e = crate::cli::parse_lesson("stiky").expect_err("not a lesson");
        assert!(
            e.contains("unknown lesson 'stiky'") && e.contains("http-get"),
            "{e}"
        );
    }

    #[test]
    fn the_web_rule_answers_a_get_with_the_page_and_its_length() {
        let rules = HTTP_GET
            .rules()
            .expect("the web lesson has rules")
            .compile(TextEncoding::Utf8)
            .expect("its rule compiles");
        let out = rules.answer(b"GET / HTTP/1.0\r\n\r\n", None, false);
        let reply = out.first().map(|o| o.bytes.clone()).unwrap_or_default();
        let text = String::from_utf8(reply).expect("utf-8");
        assert!(text.starts_with("HTTP/1.0 200 OK\r\n"), "{text}");
        let (head, body) = text.split_once("\r\n\r\n").expect("a blank line");
        assert_eq!(body, WEB_PAGE);
        assert!(head.contains(&format!("Content-Length: {}", WEB_PAGE.len())));
        assert!(
            rules
                .answer(b"POST / HTTP/1.0\r\n\r\n", None, false)
                .is_empty()
        );
    }

    #[test]
    fn the_hello_rule_greets_by_name() {
        let rules = MULTI_CLIENT
            .rules()
            .expect("rules")
            .compile(TextEncoding::Utf8)
            .expect("compiles");
        let out = rules.answer(b"Tracy", None, false);
        assert_eq!(
            out.first().map(|o| o.bytes.as_slice()),
            Some(&b"Hello, Tracy!"[..])
        );
    }
}
