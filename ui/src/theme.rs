//! Light and dark themes: follows the system until the user picks one, then remembers it.

const KEY: &str = "loupe.theme";

/// The theme in effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn toggled(self) -> Self {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The saved choice, else the system preference.
pub fn initial() -> Theme {
    if let Some(saved) = crate::prefs::load(KEY) {
        return if saved == "dark" {
            Theme::Dark
        } else {
            Theme::Light
        };
    }
    let dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    if dark { Theme::Dark } else { Theme::Light }
}

/// Applies `theme` to the document and remembers it.
pub fn apply(theme: Theme, remember: bool) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
    if remember {
        crate::prefs::save(KEY, theme.as_str());
    }
}
