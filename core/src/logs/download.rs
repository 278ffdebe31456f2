//! "Download the full log": the server's bytes streamed to a file (mode 0600), never held in
//! memory, whatever a view's ring buffer dropped.

use super::errors::log_failure;
use super::source::Wire;
use crate::CoreError;
use crate::cluster::ContextClient;
use futures::io::AsyncBufReadExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use loupe_model::logs::{LogProblem, LogRequest};
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

fn io_error(path: &Path, e: &std::io::Error) -> CoreError {
    CoreError::Logs {
        problem: LogProblem::Other,
        message: format!("cannot write {}: {e}", path.display()),
    }
}

/// Writes the log `req` asks for to `path` (replaced if it exists, mode 0600, written under a
/// temporary name and renamed when complete), exactly as `kubectl logs` prints it (the
/// timestamps only if asked for, lines never cut). `follow` is ignored: a download ends.
/// Returns the bytes written.
pub async fn download(cc: &ContextClient, req: &LogRequest, path: &Path) -> Result<u64, CoreError> {
    let container = match &req.container {
        Some(c) => c.clone(),
        None => {
            super::containers(cc, &req.namespace, &req.pod)
                .await?
                .default_container
        }
    };
    let mut opts = req.options.clone();
    opts.follow = false;
    let mut params = Wire::new(&opts)?.params(&container);
    params.timestamps = req.options.timestamps;
    let mut reader = Api::<Pod>::namespaced(cc.client.clone(), &req.namespace)
        .log_stream(&req.pod, &params)
        .await
        .map_err(|e| log_failure(e, &cc.target).1)?;

    let part = part_path(path);
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let file = options.open(&part).await.map_err(|e| io_error(&part, &e))?;
    let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
    let mut total = 0u64;
    let result: Result<(), CoreError> = async {
        loop {
            let buf = reader.fill_buf().await.map_err(|e| CoreError::Logs {
                problem: LogProblem::Other,
                message: format!("the log stream broke: {e}"),
            })?;
            if buf.is_empty() {
                break;
            }
            out.write_all(buf).await.map_err(|e| io_error(&part, &e))?;
            let n = buf.len();
            total += n as u64;
            reader.consume_unpin(n);
        }
        out.flush().await.map_err(|e| io_error(&part, &e))?;
        out.get_ref()
            .sync_all()
            .await
            .map_err(|e| io_error(&part, &e))?;
        Ok(())
    }
    .await;
    if let Err(e) = result {
        let _ = tokio::fs::remove_file(&part).await;
        return Err(e);
    }
    tokio::fs::rename(&part, path)
        .await
        .map_err(|e| io_error(path, &e))?;
    Ok(total)
}

/// `dir/.name.part`: next to the target, so the rename stays on one file system.
fn part_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "log".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.part"))
}

/// Where the app saves a downloaded log: `$XDG_DOWNLOAD_DIR`, else `~/Downloads`, named after the
/// pod, container and time (`team-a_web-1_app_20261129-180501.log`) so nothing is overwritten.
pub fn download_path(req: &LogRequest) -> Option<PathBuf> {
    Some(download_dir()?.join(download_name(req, jiff::Timestamp::now())))
}

/// The folder downloads go to: `$XDG_DOWNLOAD_DIR` (if absolute), else `~/Downloads`.
pub fn download_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_DOWNLOAD_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| Path::new(&h).join("Downloads"))
        })
}

/// Downloads the log to [`download_path`] (creating the folder), returning the file and its size.
pub async fn download_to_default(
    cc: &ContextClient,
    req: &LogRequest,
) -> Result<(PathBuf, u64), CoreError> {
    let path = download_path(req).ok_or_else(no_download_dir)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
    }
    let bytes = download(cc, req, &path).await?;
    Ok((path, bytes))
}

/// `s` with everything but ASCII letters, digits, `-` and `.` replaced by `_`, for file names.
pub(crate) fn file_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The error when there is no Downloads folder to write to.
pub(crate) fn no_download_dir() -> CoreError {
    CoreError::InvalidArgument(
        "no download folder: neither XDG_DOWNLOAD_DIR nor HOME is set".into(),
    )
}

fn download_name(req: &LogRequest, now: jiff::Timestamp) -> String {
    let mut name = format!("{}_{}", file_part(&req.namespace), file_part(&req.pod));
    if let Some(c) = &req.container {
        name.push('_');
        name.push_str(&file_part(c));
    }
    if req.options.previous {
        name.push_str("_previous");
    }
    format!("{name}_{}.log", now.strftime("%Y%m%d-%H%M%S"))
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn names_say_what_and_when_and_stay_safe() {
        let req = LogRequest {
            namespace: "team-a".into(),
            pod: "web/../x".into(),
            container: Some("app".into()),
            ..LogRequest::default()
        };
        let t: jiff::Timestamp = "2026-11-29T18:05:01Z".parse().unwrap();
        assert_eq!(
            download_name(&req, t),
            "team-a_web_.._x_app_20261129-180501.log"
        );
    }
}
