//! Kubeconfig files the user imported into Loupe: kept by reference (the path, never a copy)
//! in `$XDG_CONFIG_HOME/loupe/sources.json` (else `~/.config/loupe/sources.json`), mode 0600.
//!
//! Imported files join the app's chain after the `KUBECONFIG` (or `~/.kube/config`) files, so
//! they never shadow an entry kubectl would use. The `loupe` CLI ignores them, as kubectl does.

use super::file::{FileConfig, FileState};
use super::settings;
use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Serialize, Deserialize)]
struct SourcesFile {
    version: u32,
    files: Vec<PathBuf>,
}

/// The list of imported kubeconfig files.
#[derive(Debug, Clone)]
pub struct SourceList {
    path: PathBuf,
    files: Vec<PathBuf>,
}

impl SourceList {
    /// The list's default location (see the module docs); `None` without XDG_CONFIG_HOME or HOME.
    pub fn default_path() -> Option<PathBuf> {
        settings::default_path("sources.json")
    }

    /// Opens the list at its default location.
    pub fn open_default() -> Result<Self, CoreError> {
        let path = Self::default_path().ok_or_else(|| CoreError::Sources {
            path: "~/.config/loupe/sources.json".into(),
            reason: "neither XDG_CONFIG_HOME nor HOME is set".into(),
        })?;
        Self::open(path)
    }

    /// Opens the list at `path` (a missing file is an empty list).
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, CoreError> {
        let path = path.into();
        let files = Self::read(&path)?.files;
        Ok(Self { path, files })
    }

    fn err(&self, reason: impl ToString) -> CoreError {
        CoreError::Sources {
            path: self.path.clone(),
            reason: reason.to_string(),
        }
    }

    fn read(path: &Path) -> Result<SourcesFile, CoreError> {
        let err = |reason: String| CoreError::Sources {
            path: path.to_path_buf(),
            reason,
        };
        match settings::read(path) {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).map_err(|e| err(e.to_string())),
            Ok(None) => Ok(SourcesFile::default()),
            Err(e) => Err(err(e.to_string())),
        }
    }

    fn save(&self) -> Result<(), CoreError> {
        let body = serde_json::to_vec_pretty(&SourcesFile {
            version: 1,
            files: self.files.clone(),
        })
        .map_err(|e| self.err(e))?;
        settings::write(&self.path, &body).map_err(|e| self.err(e))
    }

    /// The imported files, in import order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Imports `file` (made absolute). It must exist and parse as a kubeconfig, so a typo or a
    /// wrong file is refused instead of showing up as a broken source. Returns the stored path
    /// and whether it was new.
    pub fn add(&mut self, file: &Path) -> Result<(PathBuf, bool), CoreError> {
        let abs = std::path::absolute(file).map_err(|e| CoreError::ImportKubeconfig {
            path: file.to_path_buf(),
            reason: e.to_string(),
        })?;
        if !abs.is_file() {
            return Err(CoreError::ImportKubeconfig {
                path: abs,
                reason: "no such file".into(),
            });
        }
        if let FileState::Broken(e) = FileConfig::load(&abs).state {
            return Err(CoreError::ImportKubeconfig {
                path: abs,
                reason: e.to_string(),
            });
        }
        // Re-read first so another Loupe window's imports are kept.
        self.files = Self::read(&self.path)?.files;
        if self.files.contains(&abs) {
            return Ok((abs, false));
        }
        self.files.push(abs.clone());
        self.save()?;
        Ok((abs, true))
    }

    /// Forgets `file` (the file itself is not touched); returns whether it was in the list.
    pub fn remove(&mut self, file: &Path) -> Result<bool, CoreError> {
        self.files = Self::read(&self.path)?.files;
        let before = self.files.len();
        self.files.retain(|f| f != file);
        let removed = self.files.len() != before;
        if removed {
            self.save()?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KC: &str = "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n";

    #[test]
    fn add_remove_persist_and_refuse_bad_files() {
        let d = tempfile::tempdir().unwrap();
        let store = d.path().join("cfg/loupe/sources.json");
        let good = d.path().join("team.yaml");
        std::fs::write(&good, KC).unwrap();
        let bad = d.path().join("notes.txt");
        std::fs::write(&bad, "clusters: [unclosed\n").unwrap();

        let mut list = SourceList::open(&store).unwrap();
        assert!(list.files().is_empty());
        assert_eq!(list.add(&good).unwrap(), (good.clone(), true));
        assert_eq!(list.add(&good).unwrap(), (good.clone(), false));
        let e = list.add(&bad).unwrap_err();
        assert!(matches!(e, CoreError::ImportKubeconfig { .. }), "{e}");
        let e = list.add(&d.path().join("nope.yaml")).unwrap_err();
        assert!(e.to_string().contains("no such file"), "{e}");

        // Persisted, 0600, and shared with a second handle.
        let again = SourceList::open(&store).unwrap();
        assert_eq!(again.files(), std::slice::from_ref(&good));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&store).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(list.remove(&good).unwrap());
        assert!(!list.remove(&good).unwrap());
        assert!(SourceList::open(&store).unwrap().files().is_empty());
        // Removing never touches the file itself.
        assert_eq!(std::fs::read_to_string(&good).unwrap(), KC);
    }

    #[test]
    fn a_corrupt_store_is_an_error_not_an_empty_list() {
        let d = tempfile::tempdir().unwrap();
        let store = d.path().join("sources.json");
        std::fs::write(&store, "{not json").unwrap();
        let e = SourceList::open(&store).unwrap_err();
        assert!(e.to_string().contains("sources.json"), "{e}");
    }
}
