//! The "open a socket" form: pick a TCP listener, TCP client, UDP socket
//! or Unix socket, fill in its fields, see each field's error inline, and
//! open it. Nothing opens until every field parses.

use eframe::egui::{self, RichText};

use crate::engine::SocketSpec;
use crate::i18n::tr;
use crate::model::spec::{self, Field, FieldError, UnixRole};

use super::{error_color, labelled_text_edit};

/// Which kind of socket the form opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum FormKind {
    /// A TCP listener.
    #[default]
    TcpListener,
    /// A TCP client.
    TcpClient,
    /// A UDP socket.
    Udp,
    /// A Unix domain socket (listen, connect or datagrams).
    Unix,
}

impl FormKind {
    /// Every kind, in the form's order.
    pub const ALL: [FormKind; 4] = [
        FormKind::TcpListener,
        FormKind::TcpClient,
        FormKind::Udp,
        FormKind::Unix,
    ];

    /// The button text.
    pub fn label(self) -> &'static str {
        match self {
            FormKind::TcpListener => tr("TCP listener"),
            FormKind::TcpClient => tr("TCP client"),
            FormKind::Udp => tr("UDP socket"),
            FormKind::Unix => tr("Unix socket"),
        }
    }

    /// The text of the button that opens it (in English, "Open " and its
    /// label; other languages phrase it their own way).
    pub fn open_label(self) -> &'static str {
        match self {
            FormKind::TcpListener => tr("Open TCP listener"),
            FormKind::TcpClient => tr("Open TCP client"),
            FormKind::Udp => tr("Open UDP socket"),
            FormKind::Unix => tr("Open Unix socket"),
        }
    }
}

/// What a Unix socket opened from the form does (kept in the settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum UnixRoleChoice {
    /// `bind()` + `listen()` on a stream socket.
    #[default]
    Listen,
    /// `connect()` a stream socket.
    Connect,
    /// `bind()` a datagram socket.
    Dgram,
}

impl UnixRoleChoice {
    const ALL: [UnixRoleChoice; 3] = [
        UnixRoleChoice::Listen,
        UnixRoleChoice::Connect,
        UnixRoleChoice::Dgram,
    ];

    fn label(self) -> &'static str {
        match self {
            UnixRoleChoice::Listen => tr("Listen"),
            UnixRoleChoice::Connect => tr("Connect"),
            UnixRoleChoice::Dgram => tr("Datagrams"),
        }
    }

    fn role(self) -> UnixRole {
        match self {
            UnixRoleChoice::Listen => UnixRole::Listen,
            UnixRoleChoice::Connect => UnixRole::Connect,
            UnixRoleChoice::Dgram => UnixRole::Dgram,
        }
    }
}

/// Which address to bind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum BindChoice {
    /// 127.0.0.1: this machine only (the safe default).
    #[default]
    Loopback,
    /// 0.0.0.0: every IPv4 interface.
    AnyV4,
    /// `::`: every interface, IPv6 and (on most systems) IPv4.
    AnyV6,
    /// `::1`: IPv6 loopback.
    LoopbackV6,
    /// Whatever the user types.
    Other,
}

impl BindChoice {
    const ALL: [BindChoice; 5] = [
        BindChoice::Loopback,
        BindChoice::AnyV4,
        BindChoice::AnyV6,
        BindChoice::LoopbackV6,
        BindChoice::Other,
    ];

    fn label(self) -> &'static str {
        match self {
            BindChoice::Loopback => tr("127.0.0.1 (this machine only)"),
            BindChoice::AnyV4 => tr("0.0.0.0 (all IPv4 interfaces)"),
            BindChoice::AnyV6 => tr(":: (all interfaces, IPv6 + IPv4)"),
            BindChoice::LoopbackV6 => tr("::1 (IPv6 loopback)"),
            BindChoice::Other => tr("Other address…"),
        }
    }

    fn address(self, other: &str) -> &str {
        match self {
            BindChoice::Loopback => "127.0.0.1",
            BindChoice::AnyV4 => "0.0.0.0",
            BindChoice::AnyV6 => "::",
            BindChoice::LoopbackV6 => "::1",
            BindChoice::Other => other,
        }
    }
}

/// The form's fields (kept between frames and sessions).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct NewSocketForm {
    /// Which kind is being opened.
    pub kind: FormKind,
    /// Bind choice for listeners and UDP.
    pub bind: BindChoice,
    /// The typed bind address when `bind` is `Other`.
    pub other_address: String,
    /// Listener port.
    pub listen_port: String,
    /// Listener backlog.
    pub backlog: String,
    /// Listener `SO_REUSEADDR`.
    pub reuse_addr: bool,
    /// Client host.
    pub host: String,
    /// Client port.
    pub connect_port: String,
    /// UDP port.
    pub udp_port: String,
    /// UDP default peer (may be empty).
    pub udp_peer: String,
    /// UDP receive size (empty: 65536).
    pub udp_recv_size: String,
    /// What a Unix socket does.
    pub unix_role: UnixRoleChoice,
    /// A Unix socket's path or `@name`.
    pub unix_path: String,
    /// A Unix datagram socket's default peer (may be empty).
    pub unix_peer: String,
    /// Remove a stale socket file at the path before binding.
    pub unix_remove_stale: bool,
    /// A TCP client connects again when its connection ends.
    pub reconnect: bool,
    /// Its first wait, in milliseconds.
    pub reconnect_first_ms: u32,
    /// Its longest wait, in milliseconds.
    pub reconnect_max_ms: u32,
    /// Errors from the last attempt to open, shown under the fields.
    #[serde(skip)]
    pub errors: Vec<FieldError>,
}

impl Default for NewSocketForm {
    fn default() -> Self {
        NewSocketForm {
            kind: FormKind::TcpListener,
            bind: BindChoice::Loopback,
            other_address: String::new(),
            listen_port: "0".into(),
            backlog: "128".into(),
            reuse_addr: true,
            host: "127.0.0.1".into(),
            connect_port: String::new(),
            udp_port: "0".into(),
            udp_peer: String::new(),
            udp_recv_size: String::new(),
            unix_role: UnixRoleChoice::Listen,
            unix_path: "/tmp/sockbench.sock".into(),
            unix_peer: String::new(),
            unix_remove_stale: false,
            reconnect: false,
            reconnect_first_ms: 500,
            reconnect_max_ms: 30_000,
            errors: Vec::new(),
        }
    }
}

impl NewSocketForm {
    /// Parses the fields of the current kind.
    pub fn parse(&self) -> Result<SocketSpec, Vec<FieldError>> {
        let address = self.bind.address(&self.other_address);
        match self.kind {
            FormKind::TcpListener => {
                spec::listen_spec(address, &self.listen_port, &self.backlog, self.reuse_addr)
            }
            FormKind::TcpClient => spec::connect_spec(&self.host, &self.connect_port),
            FormKind::Udp => {
                spec::udp_spec(address, &self.udp_port, &self.udp_peer, &self.udp_recv_size)
            }
            FormKind::Unix => spec::unix_spec(
                self.unix_role.role(),
                &self.unix_path,
                &self.unix_peer,
                self.unix_remove_stale,
            ),
        }
    }

    fn errors_for(&self, field: Field) -> impl Iterator<Item = &FieldError> {
        self.errors.iter().filter(move |e| e.field == field)
    }
}

fn field_errors_ui(ui: &mut egui::Ui, form: &NewSocketForm, field: Field) {
    for e in form.errors_for(field) {
        ui.colored_label(error_color(ui), &e.message);
    }
}

/// This machine's interfaces and their IP addresses (`getifaddrs`), for
/// the bind menu: `("eth0", 192.168.1.10)`. Empty if the call fails.
pub fn interface_addresses() -> Vec<(String, std::net::IpAddr)> {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return Vec::new();
    };
    let mut out: Vec<(String, std::net::IpAddr)> = addrs
        .filter_map(|a| {
            let sa = a.address?;
            let ip = if let Some(v4) = sa.as_sockaddr_in() {
                std::net::IpAddr::V4(v4.ip())
            } else {
                std::net::IpAddr::V6(sa.as_sockaddr_in6()?.ip())
            };
            Some((a.interface_name, ip))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn bind_ui(ui: &mut egui::Ui, form: &mut NewSocketForm) {
    ui.horizontal(|ui| {
        let l = ui.label(tr("Bind address"));
        let shown = if form.bind == BindChoice::Other && !form.other_address.trim().is_empty() {
            form.other_address.clone()
        } else {
            form.bind.label().to_string()
        };
        egui::ComboBox::from_id_salt("bind-address")
            .selected_text(shown)
            .width(230.0)
            .height(480.0)
            .show_ui(ui, |ui| {
                for c in BindChoice::ALL {
                    ui.selectable_value(&mut form.bind, c, c.label());
                }
                // Asked each time the menu is open: interfaces come and go.
                let interfaces = interface_addresses();
                if !interfaces.is_empty() {
                    ui.separator();
                    ui.label(RichText::new(tr("This machine's addresses")).weak());
                }
                for (name, ip) in interfaces {
                    let text = format!("{ip} ({name})");
                    let chosen = form.bind == BindChoice::Other
                        && form.other_address.trim() == ip.to_string();
                    if ui.selectable_label(chosen, text).clicked() {
                        form.bind = BindChoice::Other;
                        form.other_address = ip.to_string();
                        ui.close();
                    }
                }
            })
            .response
            .labelled_by(l.id);
    });
    if form.bind == BindChoice::Other {
        ui.horizontal(|ui| {
            labelled_text_edit(
                ui,
                tr("Other bind address"),
                &mut form.other_address,
                tr("e.g. 192.168.1.10"),
                140.0,
            );
        });
    }
    field_errors_ui(ui, form, Field::Address);
}

impl NewSocketForm {
    /// How a client opened from the form reconnects (`None`: it does not).
    pub fn backoff_for(&self, spec: &SocketSpec) -> Option<crate::engine::Backoff> {
        (self.reconnect && matches!(spec, SocketSpec::TcpConnect { .. })).then(|| {
            let first =
                std::time::Duration::from_millis(u64::from(self.reconnect_first_ms.max(10)));
            crate::engine::Backoff {
                first,
                max: std::time::Duration::from_millis(u64::from(self.reconnect_max_ms)).max(first),
            }
        })
    }
}

/// Draws the form. Returns a spec when the user clicked Open and every
/// field parsed; otherwise the errors are shown under their fields.
pub fn new_socket_ui(ui: &mut egui::Ui, form: &mut NewSocketForm) -> Option<SocketSpec> {
    ui.horizontal_wrapped(|ui| {
        for k in FormKind::ALL {
            if ui.selectable_label(form.kind == k, k.label()).clicked() {
                form.kind = k;
                form.errors.clear();
            }
        }
    });
    ui.add_space(4.0);
    match form.kind {
        FormKind::TcpListener => {
            bind_ui(ui, form);
            ui.horizontal(|ui| {
                labelled_text_edit(
                    ui,
                    tr("Port"),
                    &mut form.listen_port,
                    tr("0 = any free"),
                    60.0,
                );
                // listen()'s own word for it, untranslated like SO_REUSEADDR.
                labelled_text_edit(ui, "Backlog", &mut form.backlog, "128", 50.0);
            });
            field_errors_ui(ui, form, Field::Port);
            field_errors_ui(ui, form, Field::Backlog);
            ui.checkbox(&mut form.reuse_addr, "SO_REUSEADDR")
                .on_hover_text(tr(
                    "Lets the port be bound again at once after a close (TIME_WAIT)",
                ));
        }
        FormKind::TcpClient => {
            ui.horizontal(|ui| {
                labelled_text_edit(ui, tr("Host"), &mut form.host, tr("name or address"), 150.0);
            });
            field_errors_ui(ui, form, Field::Host);
            ui.horizontal(|ui| {
                labelled_text_edit(ui, tr("Port"), &mut form.connect_port, "1-65535", 60.0);
            });
            field_errors_ui(ui, form, Field::Port);
            ui.checkbox(&mut form.reconnect, tr("Reconnect automatically"))
                .on_hover_text(tr(
                    "When the connect fails or the connection ends (not by you), connect again after a wait that doubles each time; the same socket in the list",
                ));
            if form.reconnect {
                ui.horizontal(|ui| {
                    let l = ui.label(tr("first wait (ms)"));
                    ui.add(egui::DragValue::new(&mut form.reconnect_first_ms).range(10..=600_000))
                        .labelled_by(l.id);
                    let l = ui.label(tr("at most (ms)"));
                    ui.add(egui::DragValue::new(&mut form.reconnect_max_ms).range(10..=3_600_000))
                        .labelled_by(l.id);
                });
            }
        }
        FormKind::Udp => {
            bind_ui(ui, form);
            ui.horizontal(|ui| {
                labelled_text_edit(ui, tr("Port"), &mut form.udp_port, tr("0 = any free"), 60.0);
            });
            field_errors_ui(ui, form, Field::Port);
            ui.horizontal(|ui| {
                labelled_text_edit(
                    ui,
                    tr("Default peer"),
                    &mut form.udp_peer,
                    tr("optional, e.g. 127.0.0.1:9001"),
                    170.0,
                );
            });
            field_errors_ui(ui, form, Field::Peer);
            ui.horizontal(|ui| {
                labelled_text_edit(
                    ui,
                    tr("Receive size"),
                    &mut form.udp_recv_size,
                    "65536",
                    60.0,
                );
            });
            field_errors_ui(ui, form, Field::RecvSize);
        }
        FormKind::Unix => unix_ui(ui, form),
    }
    field_errors_ui(ui, form, Field::Spec);
    ui.add_space(4.0);
    let open = ui.button(form.kind.open_label()).clicked();
    // Validate as the user types, once they have tried to open.
    if open || !form.errors.is_empty() {
        match form.parse() {
            Ok(spec) => {
                form.errors.clear();
                if open {
                    return Some(spec);
                }
            }
            Err(errors) => form.errors = errors,
        }
    }
    None
}

fn unix_ui(ui: &mut egui::Ui, form: &mut NewSocketForm) {
    ui.horizontal(|ui| {
        for r in UnixRoleChoice::ALL {
            if ui
                .selectable_label(form.unix_role == r, r.label())
                .clicked()
            {
                form.unix_role = r;
                form.errors.clear();
            }
        }
    });
    ui.horizontal(|ui| {
        labelled_text_edit(
            ui,
            tr("Path"),
            &mut form.unix_path,
            tr("/tmp/demo.sock or @name"),
            220.0,
        );
    });
    field_errors_ui(ui, form, Field::Path);
    if form.unix_role == UnixRoleChoice::Dgram {
        ui.horizontal(|ui| {
            labelled_text_edit(
                ui,
                tr("Default peer"),
                &mut form.unix_peer,
                tr("optional, e.g. /tmp/other.sock"),
                220.0,
            );
        });
        field_errors_ui(ui, form, Field::Peer);
    }
    if form.unix_role != UnixRoleChoice::Connect {
        ui.checkbox(&mut form.unix_remove_stale, tr("Remove a stale socket file"))
            .on_hover_text(tr(
                "If the path is a socket file nothing listens on (left by a program that ended), remove it before bind(). A file that is not a socket is never removed.",
            ));
    }
    let call = match form.unix_role {
        UnixRoleChoice::Dgram => "socket(AF_UNIX, SOCK_DGRAM)",
        _ => "socket(AF_UNIX, SOCK_STREAM)",
    };
    ui.label(egui::RichText::new(call).monospace().weak());
    ui.label(
        egui::RichText::new(tr(
            "AF_UNIX: a socket on this machine named by a file path (or @name: a Linux abstract name, no file). Sockbench removes the socket file it made when the socket closes.",
        ))
        .weak(),
    );
}
