//! The interviewer's voice in the window: the question read aloud before
//! its think time (when the setting is on), the voice and speed chosen in
//! the settings, and a sample to hear them. The speech service is started
//! only when it is needed (the settings shown, or a session that reads
//! questions aloud), never at every start.

use std::time::Instant;

use super::RehearseApp;
use crate::interview::Phase;
use crate::voice::{Delivery, Voice, VoiceEvent, VoiceOffer, longest_reading};

/// The voice as the settings show it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VoicePanel {
    /// What the speech service offers, or why there is none; `None` until
    /// it has been asked.
    pub offer: Option<Result<VoiceOffer, String>>,
    /// It is being asked.
    pub probing: bool,
    /// The language whose voices the settings list (`None`: the chosen
    /// voice's, else the system's).
    pub language: Option<String>,
}

impl VoicePanel {
    /// Whether questions can be read aloud (as far as known).
    pub fn available(&self) -> bool {
        matches!(self.offer, Some(Ok(_)))
    }
}

/// A question being read aloud.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Which asking ([`crate::interview::Interview::asking`]).
    pub asking: crate::interview::Asking,
    /// The utterance's tag.
    pub tag: u64,
    /// When the interview goes on even if the service has not said that
    /// it has finished.
    pub deadline: Instant,
}

/// What the screens ask of the voice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoiceCommand {
    /// Find out what the speech service offers.
    Probe,
    /// Say a sample with the chosen voice and speed.
    Try,
}

/// The sample said by "Hear it".
const SAMPLE: &str = "Tell me about a project you are proud of.";

impl RehearseApp {
    /// Applies a command about the voice.
    pub(super) fn apply_voice(&mut self, command: VoiceCommand) {
        match command {
            VoiceCommand::Probe => {
                self.voice();
            }
            VoiceCommand::Try => {
                let delivery = self.delivery();
                self.services.next_voice_tag += 1;
                let tag = self.services.next_voice_tag;
                self.voice().speak(tag, SAMPLE, delivery);
            }
        }
    }

    /// The voice service, started on first use.
    pub(super) fn voice(&mut self) -> &Voice {
        if self.services.voice.is_none() {
            self.state.voice.probing = true;
        }
        let wake = self.services.wake.clone();
        self.services
            .voice
            .get_or_insert_with(|| Voice::start(move || wake.request_repaint()))
    }

    /// Stops the voice, if it speaks (before any recording starts).
    pub(super) fn silence_voice(&self) {
        if let Some(voice) = &self.services.voice {
            voice.stop();
        }
    }

    /// The chosen voice and speed.
    fn delivery(&self) -> Delivery {
        let settings = &self.state.settings.voice;
        let rate = match &self.state.voice.offer {
            Some(Ok(offer)) => Some(rate_for_speed(offer, settings.speed)),
            _ => None,
        };
        Delivery {
            voice: settings.voice.clone(),
            rate,
        }
    }

    /// Takes in what the voice reports, and reads the current question
    /// aloud when the interview asks it. Runs before every frame.
    pub(super) fn poll_voice(&mut self) {
        let now = Instant::now();
        let mut finished = Vec::new();
        if let Some(voice) = &self.services.voice {
            while let Some(event) = voice.try_recv() {
                match event {
                    VoiceEvent::Ready(offer) => {
                        self.state.voice.offer = Some(Ok(offer));
                        self.state.voice.probing = false;
                    }
                    VoiceEvent::Unavailable(why) => {
                        self.state.voice.offer = Some(Err(why));
                        self.state.voice.probing = false;
                    }
                    VoiceEvent::Finished(tag) => finished.push(tag),
                }
            }
        }
        let Some(active) = &self.state.active else {
            return;
        };
        if active.interview.phase() != Phase::Asking {
            return;
        }
        let asking = active.interview.asking();
        match active.reading {
            Some(reading) if reading.asking == asking => {
                let said = finished.contains(&reading.tag);
                if said || now >= reading.deadline {
                    if !said {
                        log::warn!(
                            "the speech service did not say it had read the question; going on"
                        );
                    }
                    self.drive(|i| i.question_read(now));
                }
            }
            _ => self.ask_aloud(asking, now),
        }
    }

    /// Reads the current question aloud, or, without a speech service,
    /// goes straight on to the think time.
    fn ask_aloud(&mut self, asking: crate::interview::Asking, now: Instant) {
        if matches!(self.state.voice.offer, Some(Err(_))) {
            self.drive(|i| i.question_read(now));
            return;
        }
        let Some(text) = self
            .state
            .active
            .as_ref()
            .map(|a| a.interview.asked_text().to_owned())
        else {
            return;
        };
        let delivery = self.delivery();
        self.services.next_voice_tag += 1;
        let tag = self.services.next_voice_tag;
        self.voice().speak(tag, &text, delivery);
        if let Some(active) = &mut self.state.active {
            active.reading = Some(Reading {
                asking,
                tag,
                deadline: now + longest_reading(&text),
            });
        }
    }
}

/// The rate for a speed of 0 (slowest) to 100 (fastest), 50 being the
/// service's normal rate; each half is linear, as services' scales differ.
pub fn rate_for_speed(offer: &VoiceOffer, speed: u8) -> f32 {
    let speed = f32::from(speed.min(100));
    if speed <= 50.0 {
        offer.min_rate + (offer.normal_rate - offer.min_rate) * speed / 50.0
    } else {
        offer.normal_rate + (offer.max_rate - offer.normal_rate) * (speed - 50.0) / 50.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_maps_to_the_service_s_rates_with_the_middle_normal() {
        // speech-dispatcher's scale, then one whose normal is off centre.
        let spd = VoiceOffer {
            voices: Vec::new(),
            min_rate: -100.0,
            normal_rate: 0.0,
            max_rate: 100.0,
        };
        assert!((rate_for_speed(&spd, 0) - -100.0).abs() < 1e-3);
        assert!((rate_for_speed(&spd, 50) - 0.0).abs() < 1e-3);
        assert!((rate_for_speed(&spd, 75) - 50.0).abs() < 1e-3);
        assert!((rate_for_speed(&spd, 200) - 100.0).abs() < 1e-3);
        let mac = VoiceOffer {
            min_rate: 0.1,
            normal_rate: 0.5,
            max_rate: 2.0,
            ..spd
        };
        assert!((rate_for_speed(&mac, 25) - 0.3).abs() < 1e-3);
        assert!((rate_for_speed(&mac, 100) - 2.0).abs() < 1e-3);
    }
}
