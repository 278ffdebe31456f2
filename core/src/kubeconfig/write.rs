//! Putting kubeconfig files on disk the way kubectl expects: its lock protocol, plus a safer
//! write than kubectl's (temporary file and rename, symlinks followed, mode kept, one backup).

use super::gofmt::go_io_error;
use crate::CoreError;
use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// kubectl's lock: `<file>.lock` for every file of the chain, created in sorted order with
/// `O_CREAT|O_EXCL` and mode 0, removed when this guard drops (in reverse order).
#[derive(Debug)]
pub struct ChainLock {
    held: Vec<PathBuf>,
}

impl ChainLock {
    /// Takes the locks for `files`. On the first lock that exists, releases the ones already
    /// taken and fails with kubectl's wording (`open <file>.lock: file exists`).
    pub fn acquire(files: &[PathBuf]) -> Result<Self, CoreError> {
        let mut sorted: Vec<&PathBuf> = files.iter().collect();
        // Sorted like Go's sort.Strings, so kubectl and Loupe always lock in the same order.
        sorted.sort_by(|a, b| {
            a.as_os_str()
                .as_encoded_bytes()
                .cmp(b.as_os_str().as_encoded_bytes())
        });
        sorted.dedup();
        let mut lock = ChainLock { held: Vec::new() };
        for file in sorted {
            let lock_path = lock_name(file);
            // kubectl creates a missing folder before locking (so it can create the file).
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
                && !dir.exists()
            {
                create_dir_all(dir).map_err(|e| CoreError::Locked {
                    lock: lock_path.clone(),
                    reason: go_io_error(&e),
                })?;
            }
            let mut opts = OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o000);
            match opts.open(&lock_path) {
                Ok(_) => lock.held.push(lock_path),
                // `lock` drops here and removes what was taken so far.
                Err(e) => {
                    return Err(CoreError::Locked {
                        lock: lock_path,
                        reason: go_io_error(&e),
                    });
                }
            }
        }
        Ok(lock)
    }
}

impl Drop for ChainLock {
    fn drop(&mut self) {
        for p in self.held.iter().rev() {
            // Nothing sensible to do if it is already gone.
            let _ = fs::remove_file(p);
        }
    }
}

/// `<file>.lock`.
pub fn lock_name(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// `<file>.loupe-backup`: the copy made before Loupe first changes a file.
pub fn backup_name(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".loupe-backup");
    PathBuf::from(s)
}

fn create_dir_all(dir: &Path) -> std::io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o755);
    b.create(dir)
}

/// Follows symlinks (relative targets are relative to the link's folder), so that the write
/// replaces the target and the link stays a link.
pub(crate) fn resolve_symlinks(path: &Path) -> std::io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&p)?;
                p = if target.is_absolute() {
                    target
                } else {
                    p.parent().unwrap_or(Path::new("")).join(target)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Replaces `path`'s content with `content`: written to a temporary file in the target's
/// folder, flushed, then renamed over the target. Keeps the mode of an existing file (0600 for
/// a new one) and, the first time Loupe changes an existing file, copies it to
/// `<file>.loupe-backup` (mode 0600).
pub(crate) fn write_file(path: &Path, content: &str) -> Result<(), CoreError> {
    let err = |source: std::io::Error| CoreError::WriteKubeconfig {
        path: path.to_path_buf(),
        source,
    };
    let target = resolve_symlinks(path).map_err(err)?;
    let existing = match fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(err(e)),
    };
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    if !dir.exists() {
        create_dir_all(&dir).map_err(err)?;
    }
    if existing.is_some() {
        // kubectl writes in place, so a file it may not write stays untouched; renaming over it
        // would bypass that, so check first.
        OpenOptions::new().write(true).open(&target).map_err(err)?;
        let backup = backup_name(path);
        if !backup.exists() {
            let original = fs::read(&target).map_err(err)?;
            write_new(&backup, &original, 0o600).map_err(err)?;
        }
    }
    #[cfg(unix)]
    let mode = existing
        .as_ref()
        .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o7777)
        .unwrap_or(0o600);
    #[cfg(not(unix))]
    let mode = 0o600;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kubeconfig".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tmp = dir.join(format!(".{name}.loupe-{}-{nanos}.tmp", std::process::id()));
    let result = write_new(&tmp, content.as_bytes(), mode).and_then(|()| {
        // Permissions of an existing file are restored exactly (umask may have cut them).
        #[cfg(unix)]
        fs::set_permissions(&tmp, std::os::unix::fs::PermissionsExt::from_mode(mode))?;
        #[cfg(not(unix))]
        if let Some(m) = &existing {
            fs::set_permissions(&tmp, m.permissions())?;
        }
        // Keep the owner too (kubectl's in-place write does); only possible as root or for
        // one's own files, so a refusal is not an error.
        #[cfg(unix)]
        if let Some(m) = &existing {
            use std::os::unix::fs::MetadataExt;
            let _ = std::os::unix::fs::chown(&tmp, Some(m.uid()), Some(m.gid()));
        }
        fs::rename(&tmp, &target)
    });
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(err(e));
    }
    // Make the rename durable; failure here does not undo the write.
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn locks_every_file_and_releases_them() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("sub/b"));
        {
            let _l = ChainLock::acquire(&[b.clone(), a.clone()]).unwrap();
            assert!(lock_name(&a).exists() && lock_name(&b).exists());
            assert_eq!(mode(&lock_name(&a)), 0);
            let e = ChainLock::acquire(std::slice::from_ref(&b)).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("open {}.lock: file exists", b.display())
            );
        }
        assert!(!lock_name(&a).exists() && !lock_name(&b).exists());
    }

    #[test]
    fn a_held_second_lock_releases_the_first() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b"));
        fs::write(lock_name(&b), "").unwrap();
        assert!(ChainLock::acquire(&[a.clone(), b.clone()]).is_err());
        assert!(!lock_name(&a).exists());
        assert!(lock_name(&b).exists());
    }

    #[test]
    fn write_keeps_mode_and_symlink_and_backs_up_once() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real");
        fs::write(&real, "one").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = d.path().join("link");
        std::os::unix::fs::symlink("real", &link).unwrap();
        write_file(&link, "two").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "two");
        assert_eq!(mode(&real), 0o640);
        let backup = backup_name(&link);
        assert_eq!(fs::read_to_string(&backup).unwrap(), "one");
        assert_eq!(mode(&backup), 0o600);
        write_file(&link, "three").unwrap();
        assert_eq!(fs::read_to_string(&backup).unwrap(), "one");
        let leftovers: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn owner_is_kept_when_we_may_set_it() {
        use std::os::unix::fs::MetadataExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config");
        fs::write(&p, "one").unwrap();
        // Only root can give a file away; elsewhere this test has nothing to check.
        if std::os::unix::fs::chown(&p, Some(4321), Some(4321)).is_err() {
            return;
        }
        write_file(&p, "two").unwrap();
        let m = fs::metadata(&p).unwrap();
        assert_eq!((m.uid(), m.gid()), (4321, 4321));
    }

    #[test]
    fn new_files_are_private_and_not_backed_up() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("new/dir/config");
        write_file(&p, "x").unwrap();
        assert_eq!(mode(&p), 0o600);
        assert!(!backup_name(&p).exists());
    }
}
