//! The persistent key-value store behind `state.save/load/delete/list`: an embedded SQLite
//! database at `<workspace>/.llmspell/state.db`, values stored as JSON text.
//!
//! The database is opened on first use, in WAL mode with a busy timeout, so several spells
//! (threads of one process, or separate processes) can read and write it at once: every
//! operation is a single autocommitted statement, and writers wait for each other.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use llmspell_bridge::{HostError, Value, codes};
use rusqlite::{Connection, OptionalExtension, params};

/// How long a statement waits for another writer before failing with `state`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// One connection to a workspace's state database, opened lazily.
pub struct StateStore {
    path: PathBuf,
    /// A store that refuses every operation (the manifest's placeholder context).
    disabled: bool,
    connection: Mutex<Option<Connection>>,
}

impl StateStore {
    /// The store of `workspace` (`<workspace>/.llmspell/state.db`). Does no I/O.
    pub fn for_workspace(workspace: &Path) -> StateStore {
        StateStore::at(workspace.join(".llmspell").join("state.db"))
    }

    /// A store at an explicit database path. Does no I/O.
    pub fn at(path: impl Into<PathBuf>) -> StateStore {
        StateStore {
            path: path.into(),
            disabled: false,
            connection: Mutex::new(None),
        }
    }

    /// A store that never opens anything: every operation is a `state` error.
    pub fn disabled() -> StateStore {
        StateStore {
            path: PathBuf::new(),
            disabled: true,
            connection: Mutex::new(None),
        }
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the database has been opened by this store yet.
    pub fn is_open(&self) -> bool {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Stores `value` under `key` as JSON, replacing what was there.
    /// Host objects store their plain value (a `State` its map); functions are refused.
    pub fn save(&self, key: &str, value: &Value) -> Result<(), HostError> {
        let json = value.to_json()?.to_string();
        self.with_connection(|connection| {
            connection.execute(
                "INSERT INTO state (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, json],
            )?;
            Ok(())
        })
    }

    /// The value stored under `key`, or `None`.
    pub fn load(&self, key: &str) -> Result<Option<Value>, HostError> {
        let text: Option<String> = self.with_connection(|connection| {
            connection
                .query_row(
                    "SELECT value FROM state WHERE key = ?1",
                    params![key],
                    |row| row.get(0),
                )
                .optional()
        })?;
        text.map(|text| {
            serde_json::from_str(&text)
                .map(Value::from_json)
                .map_err(|error| {
                    HostError::new(
                        codes::STATE,
                        format!("the stored value of '{key}' is corrupt: {error}"),
                    )
                })
        })
        .transpose()
    }

    /// Removes `key`; `true` when it existed.
    pub fn delete(&self, key: &str) -> Result<bool, HostError> {
        self.with_connection(|connection| {
            Ok(connection.execute("DELETE FROM state WHERE key = ?1", params![key])? > 0)
        })
    }

    /// Every key starting with `prefix`, sorted (byte order, the same as string order).
    pub fn list(&self, prefix: &str) -> Result<Vec<String>, HostError> {
        self.with_connection(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT key FROM state WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
            )?;
            let keys = statement.query_map(params![prefix], |row| row.get(0))?;
            keys.collect()
        })
    }

    fn with_connection<T>(
        &self,
        body: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, HostError> {
        let mut slot = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(self.open()?);
        }
        let connection = slot.as_ref().expect("opened above");
        body(connection).map_err(|error| state_error(&self.path, &error))
    }

    fn open(&self) -> Result<Connection, HostError> {
        if self.disabled {
            return Err(HostError::new(
                codes::STATE,
                "no state store: no spell is running",
            ));
        }
        if let Some(folder) = self.path.parent() {
            std::fs::create_dir_all(folder).map_err(|error| {
                HostError::new(
                    codes::STATE,
                    format!(
                        "cannot create the state folder {}: {error}",
                        folder.display()
                    ),
                )
            })?;
        }
        let connection =
            Connection::open(&self.path).map_err(|error| state_error(&self.path, &error))?;
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|error| state_error(&self.path, &error))?;
        // Switching to WAL needs a moment of exclusive access and may report "busy" without
        // waiting when other processes open the database at the same time: retry briefly.
        let mut attempt = 0;
        loop {
            match initialise(&connection) {
                Ok(()) => return Ok(connection),
                Err(error) if is_busy(&error) && attempt < 200 => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(error) => return Err(state_error(&self.path, &error)),
            }
        }
    }
}

fn initialise(connection: &Connection) -> rusqlite::Result<()> {
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(target: "llmspell::state", "the state database runs in {mode} mode, not WAL");
    }
    connection.execute_batch(
        "PRAGMA synchronous = NORMAL;
         CREATE TABLE IF NOT EXISTS state (
             key   TEXT PRIMARY KEY NOT NULL,
             value TEXT NOT NULL
         ) WITHOUT ROWID;",
    )
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn state_error(path: &Path, error: &rusqlite::Error) -> HostError {
    HostError::new(
        codes::STATE,
        format!("state database {}: {error}", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn opens_lazily_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::for_workspace(dir.path());
        assert!(!store.is_open());
        assert!(!dir.path().join(".llmspell").exists());
        assert_eq!(store.load("missing").unwrap(), None);
        assert!(store.is_open());
        assert!(dir.path().join(".llmspell/state.db").exists());
        let value = Value::from_json(serde_json::json!({"n": 1, "f": 1.5, "l": ["x", null]}));
        store.save("a", &value).unwrap();
        assert_eq!(store.load("a").unwrap(), Some(value));
        store.save("a", &Value::Int(2)).unwrap();
        assert_eq!(store.load("a").unwrap(), Some(Value::Int(2)));
        assert!(store.delete("a").unwrap());
        assert!(!store.delete("a").unwrap());
        let mode: String = store
            .with_connection(|connection| {
                connection.query_row("PRAGMA journal_mode", [], |row| row.get(0))
            })
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_disabled_store_refuses_everything() {
        let store = StateStore::disabled();
        assert_eq!(store.load("k").unwrap_err().code, "state");
        assert_eq!(store.save("k", &Value::Int(1)).unwrap_err().code, "state");
        assert!(!store.is_open());
    }

    #[test]
    fn list_filters_by_literal_prefix_in_sorted_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::for_workspace(dir.path());
        for key in ["b", "a_1", "a%", "ab", "A", "a", "é"] {
            store.save(key, &Value::Nil).unwrap();
        }
        assert_eq!(
            store.list("").unwrap(),
            ["A", "a", "a%", "a_1", "ab", "b", "é"]
        );
        assert_eq!(store.list("a").unwrap(), ["a", "a%", "a_1", "ab"]);
        assert_eq!(store.list("a_").unwrap(), ["a_1"]);
        assert_eq!(store.list("a%").unwrap(), ["a%"]);
        assert!(store.list("z").unwrap().is_empty());
    }

    #[test]
    fn an_unusable_location_is_a_state_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".llmspell"), "a file, not a folder").unwrap();
        let store = StateStore::for_workspace(dir.path());
        let error = store.save("k", &Value::Int(1)).unwrap_err();
        assert_eq!(error.code, "state");
        // Nothing was opened, so a later call tries again.
        assert!(!store.is_open());
    }

    #[test]
    fn concurrent_writers_on_separate_connections_all_land() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Arc::new(dir.path().to_path_buf());
        let threads: Vec<_> = (0..8)
            .map(|writer| {
                let workspace = Arc::clone(&workspace);
                std::thread::spawn(move || {
                    // Each thread opens its own connection, as separate spells do.
                    let store = StateStore::for_workspace(&workspace);
                    for index in 0..40 {
                        let key = format!("w{writer}/k{index:02}");
                        store.save(&key, &Value::Int(index)).unwrap();
                        store.save("shared", &Value::Int(writer)).unwrap();
                        assert_eq!(store.load(&key).unwrap(), Some(Value::Int(index)));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let store = StateStore::for_workspace(&workspace);
        assert_eq!(store.list("w").unwrap().len(), 8 * 40);
        assert_eq!(store.list("w3/").unwrap().len(), 40);
        assert!(matches!(
            store.load("shared").unwrap(),
            Some(Value::Int(0..=7))
        ));
    }

    /// The environment variable that turns [`child_process_writer`] into a real writer.
    const CHILD_DB: &str = "LLMSPELL_HOST_TEST_STATE_DB";
    const CHILD_ID: &str = "LLMSPELL_HOST_TEST_WRITER";

    /// Does nothing in a normal test run; when the test below re-runs this test binary with
    /// the variables set, it is one of several processes writing to one database at once.
    #[test]
    fn child_process_writer() {
        let (Ok(path), Ok(writer)) = (std::env::var(CHILD_DB), std::env::var(CHILD_ID)) else {
            return;
        };
        let store = StateStore::at(path);
        for index in 0..40 {
            store
                .save(&format!("p{writer}/k{index:02}"), &Value::Int(index))
                .unwrap();
            store.save("shared", &Value::Str(writer.clone())).unwrap();
        }
    }

    #[test]
    fn concurrent_processes_all_land() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join(".llmspell/state.db");
        let exe = std::env::current_exe().unwrap();
        let children: Vec<_> = (0..4)
            .map(|writer| {
                std::process::Command::new(&exe)
                    .args([
                        "--exact",
                        "state_store::tests::child_process_writer",
                        "--quiet",
                    ])
                    .args(["--test-threads", "1"])
                    .env(CHILD_DB, &database)
                    .env(CHILD_ID, writer.to_string())
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut child in children {
            assert!(child.wait().unwrap().success());
        }
        let store = StateStore::at(&database);
        assert_eq!(store.list("p").unwrap().len(), 4 * 40);
        assert!(store.list("p2/").unwrap().contains(&"p2/k39".to_owned()));
    }
}
