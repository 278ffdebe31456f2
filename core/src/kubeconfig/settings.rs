//! Loupe's own settings files (exec trust, imported kubeconfigs): where they live and how they
//! are written (0600, atomically, in a 0700 folder).

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// `$XDG_CONFIG_HOME/loupe/NAME`, else `$HOME/.config/loupe/NAME`; `None` without either.
pub(crate) fn default_path(name: &str) -> Option<PathBuf> {
    path_from(
        std::env::var_os("XDG_CONFIG_HOME").as_deref(),
        std::env::var_os("HOME").as_deref(),
        name,
    )
}

pub(crate) fn path_from(xdg: Option<&OsStr>, home: Option<&OsStr>, name: &str) -> Option<PathBuf> {
    xdg_path(xdg, home, ".config", name)
}

/// `<xdg>/loupe/<name>`, else `<home>/<home_dir>/loupe/<name>` (the XDG base-directory rule
/// for one of its variables and that variable's default under HOME).
pub(crate) fn xdg_path(
    xdg: Option<&OsStr>,
    home: Option<&OsStr>,
    home_dir: &str,
    name: &str,
) -> Option<PathBuf> {
    // The XDG spec says relative values are to be ignored.
    let base = xdg
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            home.filter(|h| !h.is_empty())
                .map(|h| Path::new(h).join(home_dir))
        })?;
    Some(base.join("loupe").join(name))
}

/// The file's bytes, or `None` when it does not exist.
pub(crate) fn read(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Replaces `path` with `body` atomically (temp file + rename), mode 0600, creating the folder
/// (0700) if needed. A failed write leaves the old file as it was.
pub(crate) fn write(path: &Path, body: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let result = opts
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(body)?;
            f.sync_all()
        })
        .and_then(|()| {
            #[cfg(unix)]
            std::fs::set_permissions(&tmp, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
            std::fs::rename(&tmp, path)
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
