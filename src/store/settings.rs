//! The user's settings (`settings.json`): microphone, timing, order, format,
//! theme. A file that cannot be read falls back to the defaults with a
//! warning, and is left as it is until the user changes a setting.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{StoreError, atomic_write};
use crate::audio::TakeFormat;
use crate::interview::{AnswerLimit, DEFAULT_WARNING_SECONDS, ThinkTime};

/// How the questions of a session are ordered by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderChoice {
    /// The bank's order.
    AsListed,
    /// Shuffled anew each session.
    Shuffled,
    /// Never practised and lowest rated first.
    #[default]
    WeakestFirst,
}

/// The window's colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the system.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// Everything the user can set. Unknown or missing fields take defaults, so
/// older and newer files both load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The chosen microphone's id; `None` uses the system default.
    pub microphone: Option<String>,
    /// Think time.
    pub think: ThinkTime,
    /// Answer limit.
    pub answer: AnswerLimit,
    /// Seconds before the end at which the warning shows.
    pub warning_seconds: u32,
    /// Questions per session.
    pub questions_per_session: usize,
    /// Question order.
    pub order: OrderChoice,
    /// Sample format of new takes.
    pub take_format: TakeFormat,
    /// Colours.
    pub theme: Theme,
    /// Speech recognition: transcribe takes when a model is installed.
    pub speech: SpeechSettings,
    /// Question packs turned off: `bundled` or a pack's file name.
    pub packs_off: std::collections::BTreeSet<String>,
    /// The interviewer's voice.
    pub voice: VoiceSettings,
    /// Where the window was and how big, to open it there again.
    pub window: Option<WindowPlace>,
    /// The screen shown last (practice, history or settings).
    pub last_screen: LastScreen,
    /// Follow-up questions: how many a mock interview asks by itself, and
    /// their answer limit.
    pub follow_ups: crate::interview::FollowUps,
}

/// The window's place, in logical points (whole numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowPlace {
    /// Left edge of the window's frame, when the system says.
    pub x: Option<i32>,
    /// Top edge of the window's frame, when the system says.
    pub y: Option<i32>,
    /// Width of its content.
    pub width: u32,
    /// Height of its content.
    pub height: u32,
    /// It was maximized.
    #[serde(default)]
    pub maximized: bool,
}

/// The screens the window can open on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LastScreen {
    /// Practice.
    #[default]
    Practice,
    /// History.
    History,
    /// Settings.
    Settings,
}

/// The "Interviewer's voice" settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VoiceSettings {
    /// Each question is read aloud before its think time.
    pub read_aloud: bool,
    /// The chosen voice's id (`None`: the system's default).
    pub voice: Option<String>,
    /// Speaking speed, 0 (slowest) to 100 (fastest); 50 is the voice's
    /// normal speed.
    pub speed: u8,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        Self {
            read_aloud: false,
            voice: None,
            speed: 50,
        }
    }
}

/// The "Speech recognition" settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpeechSettings {
    /// Transcribe each take after it is saved (when a model is installed).
    pub enabled: bool,
    /// The model to use (an installed model's name); `None` picks the best
    /// installed one.
    pub model: Option<String>,
    /// The review has offered to set up speech recognition once already.
    pub setup_offered: bool,
}

impl Default for SpeechSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            model: None,
            setup_offered: false,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            microphone: None,
            think: ThinkTime::QuestionDefault,
            answer: AnswerLimit::QuestionDefault,
            warning_seconds: DEFAULT_WARNING_SECONDS,
            questions_per_session: 5,
            order: OrderChoice::WeakestFirst,
            take_format: TakeFormat::S16,
            theme: Theme::System,
            speech: SpeechSettings::default(),
            packs_off: std::collections::BTreeSet::new(),
            voice: VoiceSettings::default(),
            window: None,
            last_screen: LastScreen::Practice,
            follow_ups: crate::interview::FollowUps::default(),
        }
    }
}

impl Settings {
    /// Reads `path`; a missing file gives the defaults, a broken one the
    /// defaults and a warning that names the file and the problem.
    pub fn load(path: &Path) -> (Self, Option<String>) {
        match crate::files::read_text(path) {
            Ok(text) => match serde_json::from_str(&text) {
                Ok(settings) => (settings, None),
                Err(err) => (
                    Self::default(),
                    Some(format!(
                        "{}: {err}; using the default settings (the file is kept until you change a setting)",
                        path.display()
                    )),
                ),
            },
            Err(crate::files::TextFileError::Io(err))
                if err.kind() == std::io::ErrorKind::NotFound =>
            {
                (Self::default(), None)
            }
            Err(err) => (
                Self::default(),
                Some(format!(
                    "{}: {err}; using the default settings",
                    path.display()
                )),
            ),
        }
    }

    /// Writes the settings to `path` atomically.
    pub fn save(&self, path: &Path) -> Result<(), StoreError> {
        let mut json = serde_json::to_vec_pretty(self).map_err(|err| StoreError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(err),
        })?;
        json.push(b'\n');
        atomic_write(path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_default_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        assert_eq!(Settings::load(&path), (Settings::default(), None));
        let chosen = Settings {
            microphone: Some("pulseaudio:usb-mic".to_owned()),
            think: ThinkTime::Seconds(10),
            answer: AnswerLimit::NoLimit,
            theme: Theme::Dark,
            ..Settings::default()
        };
        chosen.save(&path).unwrap();
        assert_eq!(Settings::load(&path), (chosen, None));
    }

    #[test]
    fn a_broken_file_warns_and_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, "{ \"theme\": \"dark\", ").unwrap();
        let (settings, warning) = Settings::load(&path);
        assert_eq!(settings, Settings::default());
        let warning = warning.unwrap();
        assert!(warning.contains("settings.json"), "{warning}");
        assert!(warning.contains("line 1"), "{warning}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{ \"theme\": \"dark\", "
        );
    }

    #[test]
    fn unknown_fields_and_missing_fields_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, r#"{"theme": "light", "from_the_future": 1}"#).unwrap();
        let (settings, warning) = Settings::load(&path);
        assert!(warning.is_none());
        assert_eq!(settings.theme, Theme::Light);
        assert_eq!(settings.warning_seconds, DEFAULT_WARNING_SECONDS);
    }
}
