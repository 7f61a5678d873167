//! Reading on a second thread while this one validates: the reader's visits become events sent in
//! batches to the [`Validator`].

use super::validator::Validator;
use crate::read::RowVisitor;
use crate::sheet::{Row, Visibility};

/// What the reading thread hands the validating one, in batches.
enum Event {
    Start(Option<String>, Visibility),
    Row(Row),
    End,
    Restart,
}

const BATCH: usize = 256;

/// The reading side of [`pipelined`]: visits become events sent in batches.
struct Sender {
    batch: Vec<Event>,
    channel: std::sync::mpsc::SyncSender<Vec<Event>>,
}

impl Sender {
    fn push(&mut self, event: Event) {
        self.batch.push(event);
        if self.batch.len() >= BATCH {
            self.send();
        }
    }
    fn send(&mut self) {
        if !self.batch.is_empty() {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            // The validating side only goes away once everything is sent.
            let _ = self.channel.send(batch);
        }
    }
}

impl RowVisitor for Sender {
    fn sheet_start(&mut self, name: Option<&str>, visibility: Visibility) {
        self.push(Event::Start(name.map(String::from), visibility));
    }
    fn row(&mut self, row: Row) {
        self.push(Event::Row(row));
    }
    fn sheet_end(&mut self) {
        self.push(Event::End);
    }
    fn restart(&mut self) {
        self.push(Event::Restart);
    }
}

/// Run `read` on a scoped thread, validating the rows here as they come; None if the thread panicked.
pub(super) fn pipelined<T: Send>(
    validator: &mut Validator<'_>,
    read: impl FnOnce(&mut dyn RowVisitor) -> T + Send,
) -> Option<T> {
    let (channel, batches) = std::sync::mpsc::sync_channel::<Vec<Event>>(16);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut sender = Sender {
                batch: Vec::with_capacity(BATCH),
                channel,
            };
            let read = read(&mut sender);
            sender.send();
            read
        });
        for batch in batches {
            for event in batch {
                match event {
                    Event::Start(name, visibility) => {
                        validator.sheet_start(name.as_deref(), visibility)
                    }
                    Event::Row(row) => validator.visit(&row),
                    Event::End => validator.sheet_end(),
                    Event::Restart => validator.restart(),
                }
            }
        }
        reader.join().ok()
    })
}
