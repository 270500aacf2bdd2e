//! The debuglog (`zx_debuglog_create`, `zx_debuglog_write`,
//! `zx_debuglog_read`): one bounded log of records shared by the whole
//! emulator, and the `DebugLog` objects that write into it and read from
//! it (Zircon's `lib/debuglog` and `LogDispatcher`).
//!
//! The log keeps records the way Zircon's 128 KiB ring does: each record
//! costs its header (40 bytes) plus its data rounded up to 4 bytes, and a
//! new record discards the oldest until it fits. Positions are absolute
//! byte offsets that only grow (`head`, `tail`), so a reader whose position
//! fell behind `tail` (it was lapped) restarts at `tail`. A readable
//! `DebugLog` starts at the log's tail, so it sees the buffered history and
//! everything written after it was created; each record carries a sequence
//! number one above the previous record's, so a lapped reader can tell how
//! many it missed.
//!
//! Signals: `ZX_LOG_WRITABLE` is always asserted. `ZX_LOG_READABLE` is set
//! on every readable object when a record is written (or at creation if
//! the log holds records) and cleared only when a read finds nothing, as
//! Zircon does.
//!
//! Lock order: `DebugLog::reader` → `DLOG` → `KObjectBase::signals`; a
//! writer takes `DLOG` alone, then each reader's `reader` lock to signal
//! it, so no set of `READABLE` can be lost between a read that found
//! nothing and its clearing of the signal.

use std::collections::VecDeque;
use std::sync::{Arc, Weak};

use crate::object::{signals, KObjectBase, Koid, ObjType};
use crate::sync::Mutex;
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// Bytes of log kept (`DLOG_SIZE`).
pub const DLOG_SIZE: u64 = 128 * 1024;
/// Size of a record's header (`sizeof(zx_log_record_t)`).
pub const RECORD_HEADER: usize = 40;
/// Largest record (`ZX_LOG_RECORD_MAX`).
pub const RECORD_MAX: usize = 256;
/// Most data a record holds (`ZX_LOG_RECORD_DATA_MAX`); longer writes are
/// cut.
pub const RECORD_DATA_MAX: usize = RECORD_MAX - RECORD_HEADER;
/// `ZX_LOG_FLAG_READABLE` (a `zx_debuglog_create` option).
pub const FLAG_READABLE: u32 = 0x4000_0000;
/// `ZX_LOG_FLAGS_MASK`: the record flags `zx_debuglog_write` accepts.
pub const LOG_FLAGS_MASK: u32 = 0x10;
/// `DEBUGLOG_INFO`: the severity of records written by guests.
pub const SEVERITY_INFO: u8 = 0x30;

/// `ZX_DEFAULT_LOG_RIGHTS`: basic, WRITE and SIGNAL (READ is added for a
/// readable log).
pub const DEFAULT_LOG_RIGHTS: Rights = Rights::BASIC.union(Rights::WRITE).union(Rights::SIGNAL);

/// `ZX_LOG_READABLE`
pub const LOG_READABLE: u32 = signals::CHANNEL_READABLE;
/// `ZX_LOG_WRITABLE`
pub const LOG_WRITABLE: u32 = signals::CHANNEL_WRITABLE;

/// One record, as `zx_debuglog_read` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// Position in the log, one more than the previous record's.
    pub sequence: u64,
    /// `DEBUGLOG_*` severity.
    pub severity: u8,
    /// Record flags (the low byte of the writer's flags and options).
    pub flags: u8,
    /// Boot-timeline nanoseconds at the write.
    pub timestamp: i64,
    /// Koid of the writing process.
    pub pid: Koid,
    /// Koid of the writing thread.
    pub tid: Koid,
    /// The text (at most [`RECORD_DATA_MAX`] bytes).
    pub data: Vec<u8>,
}

impl LogRecord {
    /// Returns the record as `zx_log_record_t` bytes: the 40-byte header
    /// followed by the data.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(RECORD_HEADER + self.data.len());
        b.extend_from_slice(&self.sequence.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&(self.data.len() as u16).to_le_bytes());
        b.push(self.severity);
        b.push(self.flags);
        b.extend_from_slice(&self.timestamp.to_le_bytes());
        b.extend_from_slice(&self.pid.to_le_bytes());
        b.extend_from_slice(&self.tid.to_le_bytes());
        b.extend_from_slice(&self.data);
        b
    }

    /// Returns the bytes the record takes in the log.
    fn wire_size(&self) -> u64 {
        (RECORD_HEADER + self.data.len().div_ceil(4) * 4) as u64
    }
}

/// The log: records with their absolute start offsets, oldest first.
#[derive(Debug, Default)]
pub struct Dlog {
    records: VecDeque<(u64, LogRecord)>,
    head: u64,
    tail: u64,
    sequence: u64,
    readers: Vec<Weak<DebugLog>>,
}

impl Dlog {
    /// Appends a record, discarding the oldest ones until it fits.
    fn push(&mut self, mut rec: LogRecord) {
        let wire = rec.wire_size();
        while self.head - self.tail > DLOG_SIZE - wire {
            let (_, old) = self.records.pop_front().expect("a non-empty log");
            self.tail += old.wire_size();
        }
        rec.sequence = self.sequence;
        self.sequence += 1;
        self.records.push_back((self.head, rec));
        self.head += wire;
    }

    /// Reads the record at reader position `pos` (snapped to the tail if
    /// lapped); returns it and the position after it.
    fn read_at(&self, pos: u64) -> (Option<LogRecord>, u64) {
        let pos = if self.head - self.tail < self.head - pos {
            self.tail
        } else {
            pos
        };
        if pos == self.head {
            return (None, pos);
        }
        let i = self
            .records
            .binary_search_by_key(&pos, |(off, _)| *off)
            .expect("reader positions lie on record boundaries");
        let rec = self.records[i].1.clone();
        let next = pos + rec.wire_size();
        (Some(rec), next)
    }
}

/// The emulator's one debuglog.
static DLOG: Mutex<Dlog> = Mutex::new(Dlog {
    records: VecDeque::new(),
    head: 0,
    tail: 0,
    sequence: 0,
    readers: Vec::new(),
});

/// Writes a record into the log and signals every readable log object.
/// `data` is cut to [`RECORD_DATA_MAX`] bytes. Returns the record as
/// stored (with its sequence number), for the console.
pub fn dlog_write(severity: u8, flags: u32, data: &[u8], pid: Koid, tid: Koid) -> LogRecord {
    let data = &data[..data.len().min(RECORD_DATA_MAX)];
    let rec = LogRecord {
        sequence: 0,
        severity,
        flags: flags as u8,
        timestamp: crate::time::boot_now(),
        pid,
        tid,
        data: data.to_vec(),
    };
    let (stored, readers) = {
        let mut log = DLOG.lock();
        log.push(rec);
        log.readers.retain(|w| w.strong_count() > 0);
        let readers: Vec<Arc<DebugLog>> = log.readers.iter().filter_map(Weak::upgrade).collect();
        (log.records.back().expect("just pushed").1.clone(), readers)
    };
    for r in readers {
        let _pos = r.reader.lock();
        r.base.signal_change(0, LOG_READABLE);
    }
    stored
}

/// A debuglog object: a writer into the log and, if created readable, a
/// reader with its own position.
#[derive(Debug)]
pub struct DebugLog {
    base: KObjectBase,
    /// The creation options (`ZX_LOG_FLAG_READABLE`).
    flags: u32,
    /// The reader's position in the log (unused if not readable).
    /// Protected by this mutex, which is held across a read and its
    /// clearing of `ZX_LOG_READABLE`.
    reader: Mutex<u64>,
}

impl_kobject!(DebugLog, ObjType::DebugLog);

impl DebugLog {
    /// Creates a log object with `flags` (`ZX_LOG_FLAG_READABLE` or 0;
    /// the caller checked them). A readable one starts at the log's tail.
    pub fn new(flags: u32) -> Arc<DebugLog> {
        let log = Arc::new(DebugLog {
            base: KObjectBase::default(),
            flags,
            reader: Mutex::new(0),
        });
        log.base.signal_change(0, LOG_WRITABLE);
        if flags & FLAG_READABLE != 0 {
            let mut pos = log.reader.lock();
            let mut dlog = DLOG.lock();
            *pos = dlog.tail;
            let has_records = dlog.tail != dlog.head;
            dlog.readers.push(Arc::downgrade(&log));
            drop(dlog);
            if has_records {
                log.base.signal_change(0, LOG_READABLE);
            }
        }
        log
    }

    /// Writes `data` (cut to [`RECORD_DATA_MAX`]) as an INFO record with
    /// `options` (already checked against [`LOG_FLAGS_MASK`]) and this
    /// object's flags.
    pub fn write(&self, options: u32, data: &[u8], pid: Koid, tid: Koid) -> LogRecord {
        dlog_write(SEVERITY_INFO, self.flags | options, data, pid, tid)
    }

    /// Reads the next record: `BAD_STATE` if not readable, `SHOULD_WAIT`
    /// (and `ZX_LOG_READABLE` cleared) if there is none.
    pub fn read(&self) -> ZxResult<LogRecord> {
        if self.flags & FLAG_READABLE == 0 {
            return Err(ZxError::BAD_STATE);
        }
        let mut pos = self.reader.lock();
        let (rec, next) = DLOG.lock().read_at(*pos);
        *pos = next;
        match rec {
            Some(rec) => Ok(rec),
            None => {
                self.base.signal_change(LOG_READABLE, 0);
                Err(ZxError::SHOULD_WAIT)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::KernelObject;

    #[test]
    fn ring_discards_oldest_and_keeps_sequence() {
        let mut d = Dlog::default();
        let rec = |n: usize| LogRecord {
            sequence: 0,
            severity: SEVERITY_INFO,
            flags: 0,
            timestamp: 0,
            pid: 1,
            tid: 2,
            data: vec![b'x'; n],
        };
        // 256 bytes a record: 512 fill the ring exactly.
        for _ in 0..512 {
            d.push(rec(RECORD_DATA_MAX));
        }
        assert_eq!((d.tail, d.head), (0, DLOG_SIZE));
        let (first, _) = d.read_at(0);
        assert_eq!(first.unwrap().sequence, 0);
        d.push(rec(1)); // 44 bytes: the oldest record goes.
        assert_eq!(d.tail, 256);
        assert_eq!(d.records.len(), 512);
        // A reader left at 0 was lapped: it restarts at the tail.
        let (r, next) = d.read_at(0);
        assert_eq!(r.unwrap().sequence, 1);
        assert_eq!(next, 512);
        let (last, end) = d.read_at(DLOG_SIZE);
        assert_eq!(last.unwrap().sequence, 512);
        assert_eq!(d.read_at(end), (None, end));
    }

    #[test]
    fn record_layout() {
        let r = LogRecord {
            sequence: 7,
            severity: 0x30,
            flags: 0x10,
            timestamp: 9,
            pid: 11,
            tid: 12,
            data: b"hi".to_vec(),
        };
        let b = r.to_bytes();
        assert_eq!(b.len(), 42);
        assert_eq!(b[0], 7);
        assert_eq!(u16::from_le_bytes([b[12], b[13]]), 2);
        assert_eq!((b[14], b[15]), (0x30, 0x10));
        assert_eq!(b[16], 9);
        assert_eq!((b[24], b[32]), (11, 12));
        assert_eq!(&b[40..], b"hi");
        assert_eq!(r.wire_size(), 44);
    }

    #[test]
    fn readers_see_history_and_signals() {
        let w = DebugLog::new(0);
        assert_eq!(w.base().signals(), LOG_WRITABLE);
        assert_eq!(w.read().unwrap_err(), ZxError::BAD_STATE);
        w.write(0, b"unit: first", 5, 6);
        let r = DebugLog::new(FLAG_READABLE);
        assert_eq!(r.base().signals(), LOG_WRITABLE | LOG_READABLE);
        // Drain: our record is somewhere in the history (other tests write).
        let mut seen = false;
        let mut last_seq = None;
        loop {
            match r.read() {
                Ok(rec) => {
                    if let Some(s) = last_seq {
                        assert!(rec.sequence > s);
                    }
                    last_seq = Some(rec.sequence);
                    seen |= rec.data == b"unit: first" && rec.pid == 5 && rec.tid == 6;
                }
                Err(e) => {
                    assert_eq!(e, ZxError::SHOULD_WAIT);
                    break;
                }
            }
        }
        assert!(seen);
        // Still readable until a read finds nothing: now cleared.
        assert_eq!(r.base().signals() & LOG_READABLE, 0);
        let long = vec![b'A'; RECORD_DATA_MAX + 10];
        let stored = w.write(LOG_FLAGS_MASK, &long, 5, 6);
        assert_eq!(stored.data.len(), RECORD_DATA_MAX);
        assert_eq!(stored.flags, 0x10);
        assert_ne!(r.base().signals() & LOG_READABLE, 0);
        assert_eq!(DEFAULT_LOG_RIGHTS.bits(), 0xD00B);
    }
}
