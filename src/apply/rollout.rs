//! Ansible's `serial` and `max_fail_percentage`: a play's hosts are worked on in batches, a batch
//! starts once the one before it is done, and too many failed hosts in a batch stop the play and every
//! play after it (as `ansible-playbook` stops the run). Plays are otherwise not barriers: only the
//! resources of a batched play wait for its earlier batches.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::ResourceId;
use crate::resolve::{BatchSize, PlayInfo};

/// Where one resource sits in the rollout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    play: usize,
    batch: usize,
}

#[derive(Debug)]
struct Batch {
    hosts: BTreeSet<String>,
    /// Resources of this batch not finished yet.
    unfinished: usize,
    failed_hosts: BTreeSet<String>,
}

#[derive(Debug)]
struct PlayRollout {
    name: String,
    batches: Vec<Batch>,
    max_fail_percentage: Option<f64>,
    /// Whether the play has `serial:`; only then does a batch where every host failed stop it.
    serial: bool,
}

/// The batches of every play and which plays were stopped.
#[derive(Debug, Default)]
pub struct Rollout {
    plays: Vec<PlayRollout>,
    places: BTreeMap<ResourceId, Place>,
    /// From this play on, nothing new starts; the text says why.
    stopped_from: Option<(usize, String)>,
}

/// Splits a play's hosts into batches as `ansible-playbook` does (`_get_serialized_batches`): each
/// `serial` entry in turn, the last one repeating; a percentage is of all the play's hosts, rounded
/// down but at least 1; 0 or a negative size takes every remaining host.
pub fn batches(hosts: &[String], serial: &[BatchSize]) -> Vec<Vec<String>> {
    let mut remaining: &[String] = hosts;
    let mut out = Vec::new();
    let mut entry = 0;
    while !remaining.is_empty() {
        let size = match serial.get(entry.min(serial.len().saturating_sub(1))) {
            None => 0,
            Some(BatchSize::Hosts(n)) => *n,
            Some(BatchSize::Percent(p)) => {
                // Ansible: int((pct / 100.0) * len(hosts)) or 1.
                let exact = (p / 100.0) * hosts.len() as f64;
                (exact.floor() as usize).max(1)
            }
        };
        let take = if size == 0 {
            remaining.len()
        } else {
            size.min(remaining.len())
        };
        out.push(remaining[..take].to_vec());
        remaining = &remaining[take..];
        entry += 1;
    }
    out
}

impl Rollout {
    pub fn new(plays: &[PlayInfo]) -> Rollout {
        let mut rollout = Rollout::default();
        for (index, play) in plays.iter().enumerate() {
            let host_batches = batches(&play.hosts, &play.serial);
            let batch_of: BTreeMap<&str, usize> = host_batches
                .iter()
                .enumerate()
                .flat_map(|(b, hosts)| hosts.iter().map(move |h| (h.as_str(), b)))
                .collect();
            let mut batches: Vec<Batch> = host_batches
                .iter()
                .map(|hosts| Batch {
                    hosts: hosts.iter().cloned().collect(),
                    unfinished: 0,
                    failed_hosts: BTreeSet::new(),
                })
                .collect();
            for id in &play.resources {
                let Some(&batch) = batch_of.get(id.scope.name()) else {
                    continue;
                };
                // A resource declared by two plays belongs to the first.
                if rollout.places.contains_key(id) {
                    continue;
                }
                rollout
                    .places
                    .insert(id.clone(), Place { play: index, batch });
                if let Some(b) = batches.get_mut(batch) {
                    b.unfinished += 1;
                }
            }
            rollout.plays.push(PlayRollout {
                name: play.name.clone(),
                batches,
                max_fail_percentage: play.max_fail_percentage,
                serial: !play.serial.is_empty(),
            });
        }
        rollout
    }

    /// Whether every earlier batch of the resource's play is done, so it may start.
    pub fn may_start(&self, id: &ResourceId) -> bool {
        let Some(place) = self.places.get(id) else {
            return true;
        };
        self.plays.get(place.play).is_none_or(|play| {
            play.batches
                .iter()
                .take(place.batch)
                .all(|b| b.unfinished == 0)
        })
    }

    /// Why the resource must not start because its play (or an earlier one) was stopped.
    pub fn stopped(&self, id: &ResourceId) -> Option<&str> {
        let (from, why) = self.stopped_from.as_ref()?;
        let place = self.places.get(id)?;
        (place.play >= *from).then_some(why.as_str())
    }

    /// Records a finished resource. Returns true when this opened a new batch (held resources may
    /// now start).
    pub fn finished(&mut self, id: &ResourceId, failed: bool) -> bool {
        let Some(place) = self.places.get(id).copied() else {
            return false;
        };
        let Some(play) = self.plays.get_mut(place.play) else {
            return false;
        };
        let Some(batch) = play.batches.get_mut(place.batch) else {
            return false;
        };
        batch.unfinished = batch.unfinished.saturating_sub(1);
        if failed {
            batch.failed_hosts.insert(id.scope.name().to_string());
        }
        if let Some(why) = break_reason(play, place.batch) {
            let earliest = self
                .stopped_from
                .as_ref()
                .is_none_or(|(from, _)| place.play < *from);
            if earliest {
                self.stopped_from = Some((place.play, why));
            }
        }
        batch_done(play, place.batch)
    }

    /// The earliest batch that still holds back resources, opened regardless of the batches before it.
    /// Only used when nothing else can move: an explicit `depends_on` from an earlier batch onto a later
    /// one would otherwise wait forever.
    pub fn force_open_next(&mut self) -> bool {
        for play in &mut self.plays {
            if let Some(batch) = play.batches.iter_mut().find(|b| b.unfinished > 0) {
                batch.unfinished = 0;
                return true;
            }
        }
        false
    }
}

fn batch_done(play: &PlayRollout, batch: usize) -> bool {
    play.batches.get(batch).is_some_and(|b| b.unfinished == 0)
}

/// Ansible stops the play when more than `max_fail_percentage` of the batch's hosts failed, or when
/// every host of a `serial` batch failed. (Without `serial`, a play whose hosts all failed has nothing
/// left to do in Ansible; plimsoll still lets work that does not depend on the failures go on.)
fn break_reason(play: &PlayRollout, batch: usize) -> Option<String> {
    let b = play.batches.get(batch)?;
    let failed = b.failed_hosts.len();
    if failed == 0 || b.hosts.is_empty() {
        return None;
    }
    let total = b.hosts.len();
    let over_threshold = play
        .max_fail_percentage
        .is_some_and(|max| failed as f64 / total as f64 > max / 100.0);
    if over_threshold {
        let max = play.max_fail_percentage.unwrap_or_default();
        Some(format!(
            "play {:?} stopped: {failed} of {total} hosts in batch {} failed (max_fail_percentage {max})",
            play.name,
            batch + 1
        ))
    } else if play.serial && failed == total {
        Some(format!(
            "play {:?} stopped: every host in batch {} failed",
            play.name,
            batch + 1
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn names(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("h{i}")).collect()
    }

    #[test]
    fn batches_follow_ansibles_serial_rules() {
        let sizes = |serial: &[BatchSize], n: usize| -> Vec<usize> {
            batches(&names(n), serial).iter().map(Vec::len).collect()
        };
        assert_eq!(sizes(&[], 5), vec![5]);
        assert_eq!(sizes(&[BatchSize::Hosts(2)], 5), vec![2, 2, 1]);
        assert_eq!(
            sizes(&[BatchSize::Hosts(1), BatchSize::Percent(50.0)], 5),
            vec![1, 2, 2]
        );
        // 10% of 5 hosts rounds down to 0, and Ansible takes at least one.
        assert_eq!(sizes(&[BatchSize::Percent(10.0)], 3), vec![1, 1, 1]);
        assert_eq!(sizes(&[BatchSize::Hosts(0)], 4), vec![4]);
        assert_eq!(sizes(&[BatchSize::Hosts(9)], 4), vec![4]);
        assert_eq!(batches(&names(3), &[BatchSize::Hosts(2)])[1], vec!["h3"]);
    }

    fn play(name: &str, hosts: usize, serial: &[BatchSize], max: Option<f64>) -> PlayInfo {
        let hosts = names(hosts);
        let resources = hosts
            .iter()
            .flat_map(|h| {
                (0..2).map(move |i| {
                    ResourceId::on_host(h, "ansible.builtin.file", &format!("/{name}{i}"))
                })
            })
            .collect();
        PlayInfo {
            name: name.into(),
            hosts,
            serial: serial.to_vec(),
            max_fail_percentage: max,
            keep_play_order: true,
            resources,
            declared_at: SourceFile::new("site.yml", "- x\n").span_at_line_col(1, 1, 1),
        }
    }

    fn id(host: &str, path: &str) -> ResourceId {
        ResourceId::on_host(host, "ansible.builtin.file", path)
    }

    #[test]
    fn a_batch_waits_for_the_one_before_it() {
        let mut rollout = Rollout::new(&[play("p", 3, &[BatchSize::Hosts(1)], None)]);
        assert!(rollout.may_start(&id("h1", "/p0")));
        assert!(!rollout.may_start(&id("h2", "/p0")));
        assert!(!rollout.finished(&id("h1", "/p0"), false));
        assert!(rollout.finished(&id("h1", "/p1"), false));
        assert!(rollout.may_start(&id("h2", "/p1")));
        assert!(!rollout.may_start(&id("h3", "/p1")));
        // Resources outside every play are never held.
        assert!(rollout.may_start(&id("h9", "/other")));
    }

    #[test]
    fn failures_over_max_fail_percentage_stop_this_play_and_later_ones() {
        let plays = [
            play("first", 4, &[BatchSize::Hosts(4)], Some(25.0)),
            play("second", 4, &[], None),
        ];
        let mut rollout = Rollout::new(&plays);
        rollout.finished(&id("h1", "/first0"), true);
        // 1 of 4 is not more than 25%.
        assert_eq!(rollout.stopped(&id("h2", "/first0")), None);
        rollout.finished(&id("h2", "/first0"), true);
        let why = rollout.stopped(&id("h3", "/first1")).unwrap();
        assert!(why.contains("2 of 4 hosts in batch 1 failed"), "{why}");
        assert!(rollout.stopped(&id("h3", "/second0")).is_some());
    }

    #[test]
    fn a_batch_where_every_host_failed_stops_the_play_without_a_percentage() {
        let plays = [play("p", 4, &[BatchSize::Hosts(2)], None)];
        let mut rollout = Rollout::new(&plays);
        rollout.finished(&id("h1", "/p0"), true);
        assert_eq!(rollout.stopped(&id("h3", "/p0")), None);
        rollout.finished(&id("h2", "/p1"), true);
        let why = rollout.stopped(&id("h3", "/p0")).unwrap();
        assert!(why.contains("every host in batch 1 failed"), "{why}");
    }

    #[test]
    fn without_serial_failed_hosts_do_not_stop_independent_work() {
        let mut rollout = Rollout::new(&[play("p", 1, &[], None)]);
        rollout.finished(&id("h1", "/p0"), true);
        assert_eq!(rollout.stopped(&id("h1", "/p1")), None);
    }

    #[test]
    fn an_earlier_play_is_not_stopped_by_a_later_one() {
        let plays = [
            play("first", 2, &[], None),
            play("second", 2, &[], Some(0.0)),
        ];
        let mut rollout = Rollout::new(&plays);
        rollout.finished(&id("h1", "/second0"), true);
        assert!(rollout.stopped(&id("h2", "/second0")).is_some());
        assert_eq!(rollout.stopped(&id("h2", "/first0")), None);
    }
}
