//! Drives the real Loupe app: starts `tauri-driver` (which starts WebKitWebDriver, which starts
//! the app) and hands back a WebDriver client. Used by the tests in `tests/`.
#![forbid(unsafe_code)]

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A running app under WebDriver. Dropping it stops tauri-driver (and with it the app).
pub struct App {
    /// The WebDriver session.
    pub client: Client,
    driver: Child,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn wait_for_port(port: u16, deadline: Instant) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {addr}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The app binary under test (`LOUPE_APP`, set by `./dev test`).
pub fn app_binary() -> PathBuf {
    let p = PathBuf::from(
        std::env::var_os("LOUPE_APP").expect("LOUPE_APP must point at the built loupe-app binary"),
    );
    assert!(
        p.exists(),
        "{} does not exist: run ./dev build",
        p.display()
    );
    p
}

impl App {
    /// Launches the app with extra environment variables (e.g. `KUBECONFIG`).
    pub async fn launch(env: &[(&str, &str)]) -> App {
        let app = app_binary();
        let (port, native) = (free_port(), free_port());
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ]);
        // A first-run app every time: its settings and WebKit storage (theme, trust) live in
        // fresh XDG folders, so one test (or a developer's own use) cannot leak into another.
        let xdg = std::env::temp_dir()
            .join("loupe-e2e-xdg")
            .join(port.to_string());
        let _ = std::fs::remove_dir_all(&xdg);
        for (var, sub) in [
            ("XDG_DATA_HOME", "data"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_CACHE_HOME", "cache"),
            // The action log.
            ("XDG_STATE_HOME", "state"),
        ] {
            let d = xdg.join(sub);
            std::fs::create_dir_all(&d).expect("a fresh XDG folder");
            cmd.env(var, d);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = cmd
            .spawn()
            .expect("tauri-driver on PATH (installed by ./dev setup)");
        // tauri-driver accepts connections before WebKitWebDriver listens: wait for both.
        let deadline = Instant::now() + Duration::from_secs(20);
        wait_for_port(port, deadline);
        wait_for_port(native, deadline);
        let caps = serde_json::json!({
            "tauri:options": { "application": app, "args": [] }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!("a JSON object literal")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session with the app");
        App { client, driver }
    }

    /// Waits for an element to appear.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(el) => el,
            Err(e) => {
                // Leave evidence: what the window showed and the DOM it had.
                self.screenshot("failure.png").await;
                let dom = self.client.source().await.unwrap_or_default();
                panic!("{css} never appeared: {e}\n--- page source ---\n{dom}");
            }
        }
    }

    /// Waits for an element and clicks it.
    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    /// Polls `check` until it returns true (UI updates are asynchronous).
    pub async fn eventually<F, Fut>(&self, what: &str, timeout: Duration, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + timeout;
        while !check().await {
            assert!(Instant::now() < deadline, "timed out waiting for: {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG screenshot of the window into `LOUPE_SCREENSHOT_DIR` (if set).
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("LOUPE_SCREENSHOT_DIR") else {
            return;
        };
        // The DOM can be ahead of the pixels: let WebKit paint two frames first.
        let _ = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await;
        tokio::time::sleep(Duration::from_millis(250)).await;
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(PathBuf::from(dir).join(name), png).expect("screenshot written");
    }

    /// Ends the session and stops tauri-driver gracefully (a hard kill leaves WebKitWebDriver).
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = Command::new("kill")
            .args(["-TERM", &self.driver.id().to_string()])
            .status();
        let _ = self.driver.wait();
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // Only reached after a failed test: stop the driver so the next test starts clean.
        if let Ok(None) = self.driver.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.driver.id().to_string()])
                .status();
            let _ = self.driver.wait();
        }
    }
}

/// The sandbox's merged kubeconfig (`LOUPE_SANDBOX_KUBECONFIG`, set by `./dev test`).
pub fn sandbox_kubeconfig() -> String {
    std::env::var("LOUPE_SANDBOX_KUBECONFIG")
        .expect("LOUPE_SANDBOX_KUBECONFIG must name the sandbox's merged kubeconfig")
}

/// The text of the first element matching `css`, or "" when there is none (yet).
pub async fn text_of(app: &App, css: &str) -> String {
    match app.client.find(Locator::Css(css)).await {
        Ok(el) => el.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}
