//! Workspaces: the sockets a user opened (each with its encoding, its
//! reconnect back-off and its reply rules), the composer, the quick-send
//! items and the lab's settings, in a TOML file a person can read and edit
//! (`sockbench --workspace lab.toml`, or Files → Open workspace…).
//! Connections a listener accepted are not kept: they are the peers'.

use std::path::Path;
use std::time::Duration;

use crate::codec::text::TextEncoding;
use crate::engine::{Backoff, SocketSpec};
use crate::model::spec::parse_cli_spec;
use crate::quick::QuickSend;
use crate::rules::RuleSet;
use crate::ui::composer::Composer;
use crate::ui::lab::LabSettings;

/// The format's version, written in every file.
pub const WORKSPACE_VERSION: u32 = 1;

/// A workspace, as saved.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Workspace {
    /// The format's version ([`WORKSPACE_VERSION`]).
    pub version: u32,
    /// The encoding new sockets are displayed with.
    pub display_encoding: TextEncoding,
    /// The sockets to open, in order.
    pub sockets: Vec<WorkspaceSocket>,
    /// The composer's modes, history and periodic settings.
    pub composer: Composer,
    /// What was typed in the composer.
    pub composer_text: String,
    /// The quick-send items and sequences.
    pub quick: QuickSend,
    /// The sticky-packet lab's framing and struct format.
    pub lab: LabSettings,
}

/// A socket of a workspace.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct WorkspaceSocket {
    /// What to open, in the command line's form
    /// (`tcp-listen:127.0.0.1:9000,backlog=128`).
    pub spec: String,
    /// How its bytes are shown and text is sent.
    pub encoding: TextEncoding,
    /// A TCP client: connect again when the connection ends.
    pub reconnect: Option<Reconnect>,
    /// Its reply rules.
    pub rules: Option<RuleSet>,
}

/// A reconnect back-off, in milliseconds (as the form shows it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reconnect {
    /// The first wait.
    pub first_ms: u64,
    /// The longest wait.
    pub max_ms: u64,
}

impl From<Backoff> for Reconnect {
    fn from(b: Backoff) -> Self {
        Reconnect {
            first_ms: b.first.as_millis() as u64,
            max_ms: b.max.as_millis() as u64,
        }
    }
}

impl From<Reconnect> for Backoff {
    fn from(r: Reconnect) -> Self {
        Backoff {
            first: Duration::from_millis(r.first_ms.max(1)),
            max: Duration::from_millis(r.max_ms.max(r.first_ms).max(1)),
        }
    }
}

impl WorkspaceSocket {
    /// The socket spec, or what is wrong with it.
    pub fn socket_spec(&self) -> Result<SocketSpec, String> {
        parse_cli_spec(&self.spec).map_err(|e| format!("\"{}\": {e}", self.spec))
    }
}

/// Why a workspace could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// Reading or writing the file failed.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        error: std::io::Error,
    },
    /// The file is not a workspace (TOML with the fields above).
    #[error("{path}: not a Sockbench workspace: {error}")]
    Parse {
        /// The file.
        path: String,
        /// Where and why.
        error: String,
    },
    /// The file is from a newer Sockbench.
    #[error(
        "{path}: workspace version {version} is newer than this Sockbench reads ({WORKSPACE_VERSION})"
    )]
    Newer {
        /// The file.
        path: String,
        /// Its version.
        version: u32,
    },
}

impl Workspace {
    /// The workspace as TOML text.
    pub fn to_toml(&self) -> Result<String, String> {
        let mut w = self.clone();
        w.version = WORKSPACE_VERSION;
        toml::to_string_pretty(&w).map_err(|e| e.to_string())
    }

    /// Reads a workspace from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Reads the workspace file at `path`.
    pub fn load(path: &Path) -> Result<Self, WorkspaceError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| WorkspaceError::Io {
            path: shown.clone(),
            error,
        })?;
        let w = Self::from_toml(&text).map_err(|error| WorkspaceError::Parse {
            path: shown.clone(),
            error,
        })?;
        if w.version > WORKSPACE_VERSION {
            return Err(WorkspaceError::Newer {
                path: shown,
                version: w.version,
            });
        }
        Ok(w)
    }

    /// Writes the workspace to `path` (created, or replaced).
    pub fn save(&self, path: &Path) -> Result<(), WorkspaceError> {
        let shown = path.display().to_string();
        let text = self.to_toml().map_err(|error| WorkspaceError::Parse {
            path: shown.clone(),
            error,
        })?;
        let text = format!(
            "# A Sockbench workspace: open it with `sockbench --workspace {}`\n# or Files → Open workspace….\n{text}",
            path.file_name()
                .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned())
        );
        std::fs::write(path, text).map_err(|error| WorkspaceError::Io { path: shown, error })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_workspace_round_trips_through_toml() {
        let mut w = Workspace {
            display_encoding: TextEncoding::Gbk,
            ..Workspace::default()
        };
        w.sockets.push(WorkspaceSocket {
            spec: "tcp-listen:127.0.0.1:9000,backlog=128".into(),
            encoding: TextEncoding::Gbk,
            reconnect: None,
            rules: Some(RuleSet::echo()),
        });
        w.sockets.push(WorkspaceSocket {
            spec: "tcp-connect:127.0.0.1:9000".into(),
            encoding: TextEncoding::Utf8,
            reconnect: Some(Reconnect {
                first_ms: 500,
                max_ms: 8000,
            }),
            rules: None,
        });
        w.composer.history.push(crate::ui::composer::HistoryEntry {
            text: "01 03 00 00".into(),
            mode: crate::codec::compose::InputMode::Hex,
            struct_mode: false,
            line_ending: crate::codec::compose::LineEnding::None,
        });
        let text = w.to_toml().unwrap();
        assert!(text.contains("version = 1"), "{text}");
        let back = Workspace::from_toml(&text).unwrap();
        assert_eq!(back.sockets.len(), 2);
        assert_eq!(back.display_encoding, TextEncoding::Gbk);
        assert_eq!(
            back.sockets[1].reconnect,
            Some(Reconnect {
                first_ms: 500,
                max_ms: 8000
            })
        );
        assert_eq!(back.sockets[0].rules.as_ref().unwrap().rules.len(), 1);
        assert_eq!(back.composer.history.len(), 1);
        assert_eq!(back.to_toml().unwrap(), text);
        assert!(back.sockets[0].socket_spec().is_ok());
    }

    #[test]
    fn a_wrong_file_says_where() {
        let e = Workspace::from_toml("sockets = 3").unwrap_err();
        assert!(e.contains("sockets"), "{e}");
        let w = Workspace::from_toml("[[sockets]]\nspec = \"tcp-listen:nope\"").unwrap();
        assert!(
            w.sockets[0]
                .socket_spec()
                .unwrap_err()
                .contains("tcp-listen:nope")
        );
    }
}
