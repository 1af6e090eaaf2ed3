//! The interviewer's voice: questions read aloud through the system's
//! speech service (speech-dispatcher on Linux, the native voices on macOS
//! and Windows) with the `tts` crate. No UI types here.
//!
//! The speech service is driven from one thread of its own (the `tts`
//! handle is not meant to be shared between threads): the window sends
//! what to say and hears back when it has been said, so it never waits on
//! the speech service. Without a speech service every request is answered
//! at once as finished, and [`VoiceEvent::Unavailable`] says why.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

/// A voice the system offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoiceChoice {
    /// What selects it.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its language (a BCP 47 tag such as `en-GB`).
    pub language: String,
}

/// What the speech service offers.
#[derive(Clone, Debug, PartialEq)]
pub struct VoiceOffer {
    /// Its voices, English ones first, then by language and name.
    pub voices: Vec<VoiceChoice>,
    /// The slowest rate it takes.
    pub min_rate: f32,
    /// Its usual rate.
    pub normal_rate: f32,
    /// The fastest rate it takes.
    pub max_rate: f32,
}

/// What the voice reports.
#[derive(Clone, Debug, PartialEq)]
pub enum VoiceEvent {
    /// The speech service is there, with these voices and rates.
    Ready(VoiceOffer),
    /// There is no speech service; why (shown beside the setting).
    Unavailable(String),
    /// The utterance with this tag has been said, stopped, or could not
    /// be said.
    Finished(u64),
}

/// How an utterance is to be said.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Delivery {
    /// A voice's id (`None`: the service's default).
    pub voice: Option<String>,
    /// The rate, within the offered range (`None`: the normal rate).
    pub rate: Option<f32>,
}

enum Request {
    Speak {
        tag: u64,
        text: String,
        delivery: Delivery,
    },
    Stop,
}

/// Handle to the voice thread.
pub struct Voice {
    requests: Sender<Request>,
    events: Receiver<VoiceEvent>,
}

impl Voice {
    /// Starts the voice thread, which connects to the speech service and
    /// reports [`VoiceEvent::Ready`] or [`VoiceEvent::Unavailable`];
    /// `wake` is called after every event.
    pub fn start(wake: impl Fn() + Send + Sync + 'static) -> Self {
        let (requests, inbox) = mpsc::channel();
        let (outbox, events) = mpsc::channel();
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(wake);
        let spawned = std::thread::Builder::new()
            .name("rehearse-voice".to_owned())
            .spawn({
                let outbox = outbox.clone();
                let wake = Arc::clone(&wake);
                move || run(&inbox, &outbox, &wake)
            });
        if let Err(err) = spawned {
            let why = format!("cannot start a thread for the voice: {err}");
            log::warn!("{why}");
            // The receiver is ours, so this reaches the settings, which
            // show why the voice is off.
            if outbox.send(VoiceEvent::Unavailable(why)).is_ok() {
                wake();
            }
        }
        Self { requests, events }
    }

    /// Says `text`; [`VoiceEvent::Finished`] with `tag` follows when it has
    /// been said (or stopped).
    pub fn speak(&self, tag: u64, text: &str, delivery: Delivery) {
        let request = Request::Speak {
            tag,
            text: text.to_owned(),
            delivery,
        };
        if self.requests.send(request).is_err() {
            log::warn!("the voice thread has ended; not said: {text}");
        }
    }

    /// Stops whatever is being said, at once.
    pub fn stop(&self) {
        if self.requests.send(Request::Stop).is_err() {
            log::debug!("the voice thread has ended; nothing to stop");
        }
    }

    /// The next event, if any.
    pub fn try_recv(&self) -> Option<VoiceEvent> {
        self.events.try_recv().ok()
    }
}

/// The voice thread: connects, then says what it is asked until the
/// window goes away.
fn run(inbox: &Receiver<Request>, outbox: &Sender<VoiceEvent>, wake: &Arc<dyn Fn() + Send + Sync>) {
    let send = |event| {
        if outbox.send(event).is_ok() {
            wake();
        }
    };
    let speaker = match Speaker::connect(outbox.clone(), Arc::clone(wake)) {
        Ok((speaker, offer)) => {
            send(VoiceEvent::Ready(offer));
            Some(speaker)
        }
        Err(why) => {
            log::info!("questions cannot be read aloud: {why}");
            send(VoiceEvent::Unavailable(why));
            None
        }
    };
    let Some(mut speaker) = speaker else {
        // Without a service, everything asked is "said" at once, so an
        // interview waiting for the question goes on.
        for request in inbox {
            if let Request::Speak { tag, .. } = request {
                send(VoiceEvent::Finished(tag));
            }
        }
        return;
    };
    for request in inbox {
        match request {
            Request::Speak {
                tag,
                text,
                delivery,
            } => {
                if let Err(why) = speaker.say(tag, &text, &delivery) {
                    log::warn!("could not read the question aloud: {why}");
                    send(VoiceEvent::Finished(tag));
                }
            }
            Request::Stop => speaker.stop(),
        }
    }
    speaker.stop();
}

/// Which utterance is which: the service reports ends by its own ids,
/// possibly before `speak` has returned the id (so the ends of unknown ids
/// are kept until the id is known). Keyed by the id's debug text, which
/// every platform's id has.
#[derive(Default)]
struct Utterances {
    /// Tags of the utterances being said.
    saying: HashMap<String, u64>,
    /// Ends reported before their id was known.
    ended_early: Vec<String>,
}

/// The connection to the speech service.
struct Speaker {
    tts: tts::Tts,
    voices: Vec<tts::Voice>,
    utterances: Arc<Mutex<Utterances>>,
    outbox: Sender<VoiceEvent>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl Speaker {
    /// Connects and reads what the service offers; why it cannot.
    fn connect(
        outbox: Sender<VoiceEvent>,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> Result<(Self, VoiceOffer), String> {
        let tts = tts::Tts::default().map_err(|err| no_service(&err))?;
        let features = tts.supported_features();
        if !features.utterance_callbacks {
            return Err("the speech service does not say when it has finished".to_owned());
        }
        let voices = if features.voice {
            tts.voices().map_err(|err| no_service(&err))?
        } else {
            Vec::new()
        };
        let utterances: Arc<Mutex<Utterances>> = Arc::default();
        let finished = {
            let utterances = Arc::clone(&utterances);
            let outbox = outbox.clone();
            let wake = Arc::clone(&wake);
            move |id: tts::UtteranceId| {
                let key = format!("{id:?}");
                let tag = utterances.lock().map_or(None, |mut known| {
                    let tag = known.saying.remove(&key);
                    if tag.is_none() {
                        known.ended_early.push(key);
                    }
                    tag
                });
                if let Some(tag) = tag
                    && outbox.send(VoiceEvent::Finished(tag)).is_ok()
                {
                    wake();
                }
            }
        };
        let stopped = finished.clone();
        tts.on_utterance_end(Some(Box::new(finished)))
            .map_err(|err| no_service(&err))?;
        tts.on_utterance_stop(Some(Box::new(stopped)))
            .map_err(|err| no_service(&err))?;
        let offer = VoiceOffer {
            voices: sorted_choices(&voices),
            min_rate: tts.min_rate(),
            normal_rate: tts.normal_rate(),
            max_rate: tts.max_rate(),
        };
        Ok((
            Self {
                tts,
                voices,
                utterances,
                outbox,
                wake,
            },
            offer,
        ))
    }

    fn say(&mut self, tag: u64, text: &str, delivery: &Delivery) -> Result<(), String> {
        if let Some(id) = &delivery.voice
            && let Some(voice) = self.voices.iter().find(|v| &v.id() == id)
        {
            self.tts.set_voice(voice).map_err(|err| err.to_string())?;
        }
        let rate = delivery
            .rate
            .unwrap_or_else(|| self.tts.normal_rate())
            .clamp(self.tts.min_rate(), self.tts.max_rate());
        self.tts.set_rate(rate).map_err(|err| err.to_string())?;
        let id = self
            .tts
            .speak(text, true)
            .map_err(|err| err.to_string())?
            .ok_or_else(|| "the speech service gave the utterance no id".to_owned())?;
        let key = format!("{id:?}");
        let mut known = self
            .utterances
            .lock()
            .map_err(|_| "the voice's bookkeeping failed".to_owned())?;
        if let Some(at) = known.ended_early.iter().position(|k| *k == key) {
            known.ended_early.remove(at);
            drop(known);
            if self.outbox.send(VoiceEvent::Finished(tag)).is_ok() {
                (self.wake)();
            }
        } else {
            known.saying.insert(key, tag);
        }
        Ok(())
    }

    fn stop(&mut self) {
        if let Err(err) = self.tts.stop() {
            log::warn!("could not stop the voice: {err}");
        }
    }
}

fn no_service(err: &tts::Error) -> String {
    format!("no speech service is available ({err}); on Linux, install speech-dispatcher")
}

/// The voices as choices: English first, then by language and name.
fn sorted_choices(voices: &[tts::Voice]) -> Vec<VoiceChoice> {
    let mut choices: Vec<VoiceChoice> = voices
        .iter()
        .map(|voice| VoiceChoice {
            id: voice.id(),
            name: voice.name(),
            language: voice.language().to_string(),
        })
        .collect();
    choices.sort_by(|a, b| {
        let english = |c: &VoiceChoice| !c.language.starts_with("en");
        (english(a), &a.language, &a.name).cmp(&(english(b), &b.language, &b.name))
    });
    choices.dedup_by(|a, b| a.id == b.id);
    choices
}

/// How long reading `text` aloud may take at most before the interview
/// goes on without waiting for the service to say it has finished: a slow
/// 100 words a minute, plus five seconds.
pub fn longest_reading(text: &str) -> std::time::Duration {
    let words = text.split_whitespace().count() as u64;
    std::time::Duration::from_millis(words * 600 + 5_000)
}

/// The language of a BCP 47 tag, lower-case: `en` for `en-GB`.
pub fn language_of(tag: &str) -> String {
    tag.split(['-', '_', '.', '@'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The system's language from the locale variables (`LC_ALL`,
/// `LC_MESSAGES`, `LANG`: `en_GB.UTF-8` gives `en`), English when none
/// says.
pub fn system_language() -> String {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .map(|value| language_of(&value))
        .find(|language| !language.is_empty() && language != "c" && language != "posix")
        .unwrap_or_else(|| "en".to_owned())
}

/// `voices` grouped by language (`language_of` their tags), `first`'s
/// group first, then English, then the others by name; each group's
/// voices in the order given.
pub fn language_groups<'a>(
    voices: &'a [VoiceChoice],
    first: &str,
) -> Vec<(String, Vec<&'a VoiceChoice>)> {
    let mut groups: Vec<(String, Vec<&VoiceChoice>)> = Vec::new();
    for voice in voices {
        let language = language_of(&voice.language);
        match groups.iter_mut().find(|(name, _)| *name == language) {
            Some((_, members)) => members.push(voice),
            None => groups.push((language, vec![voice])),
        }
    }
    groups.sort_by_key(|(name, _)| (name != first, name != "en", name.clone()));
    groups
}

#[cfg(test)]
mod tests {

    #[test]
    fn voices_are_grouped_by_language_the_system_s_first() {
        let voice = |id: &str, language: &str| VoiceChoice {
            id: id.to_owned(),
            name: id.to_owned(),
            language: language.to_owned(),
        };
        let voices = [
            voice("a", "en-GB"),
            voice("b", "fr-FR"),
            voice("c", "en-US"),
            voice("d", "de"),
            voice("e", "af"),
        ];
        let names = |groups: &[(String, Vec<&VoiceChoice>)]| {
            groups
                .iter()
                .map(|(name, members)| {
                    format!(
                        "{name}:{}",
                        members.iter().map(|v| v.id.as_str()).collect::<String>()
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&language_groups(&voices, "de")),
            ["de:d", "en:ac", "af:e", "fr:b"]
        );
        assert_eq!(
            names(&language_groups(&voices, "en")),
            ["en:ac", "af:e", "de:d", "fr:b"]
        );
        assert_eq!(language_of("pt_BR.UTF-8"), "pt");
        assert_eq!(language_of("C.UTF-8"), "c");
    }

    use super::*;

    #[test]
    fn a_reading_may_take_a_slow_reader_s_time_and_a_little_more() {
        assert_eq!(longest_reading(""), std::time::Duration::from_secs(5));
        assert_eq!(
            longest_reading("Tell me about a time you fixed a slow query."),
            std::time::Duration::from_millis(10 * 600 + 5_000)
        );
    }
}
