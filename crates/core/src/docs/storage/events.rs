//! The parser's events with a window of lookahead. A few constructs need
//! to see what follows them (a task list, a `> **Note:**` label, a table
//! of contents); everything else is handled as it is parsed, so a 1 MiB
//! document never holds all of its events at once.

use std::collections::VecDeque;
use std::ops::Range;

use pulldown_cmark::{Event, OffsetIter, Tag};

pub(super) struct Events<'e> {
    parser: OffsetIter<'e>,
    /// Events parsed but not yet taken; `window[0]` is event `first`.
    window: VecDeque<Event<'e>>,
    first: usize,
    /// Byte offsets of the code blocks parsed and not yet taken, in order.
    code_starts: VecDeque<usize>,
}

impl<'e> Events<'e> {
    pub(super) fn new(parser: OffsetIter<'e>) -> Self {
        Events {
            parser,
            window: VecDeque::with_capacity(64),
            first: 0,
            code_starts: VecDeque::new(),
        }
    }

    /// Notes where a code block starts, for an event read from the parser.
    #[inline(always)]
    fn note(&mut self, event: &Event<'e>, start: usize) {
        if matches!(event, Event::Start(Tag::CodeBlock(_))) {
            self.code_starts.push_back(start);
        }
    }

    /// The parser's next event, noting where a code block starts.
    fn parse_next(&mut self) -> Option<Event<'e>> {
        let (event, range) = self.parser.next()?;
        self.note(&event, range.start);
        Some(event)
    }

    /// Parses up to event `i`; false when the document ends before it.
    pub(super) fn fill(&mut self, i: usize) -> bool {
        while self.first + self.window.len() <= i {
            let Some(event) = self.parse_next() else {
                return false;
            };
            self.window.push_back(event);
        }
        true
    }

    /// Event `i` (at or after the last one taken), parsing up to it.
    pub(super) fn get(&mut self, i: usize) -> Option<&Event<'e>> {
        if !self.fill(i) {
            return None;
        }
        self.peek(i)
    }

    /// Event `i` if it is already parsed.
    pub(super) fn peek(&self, i: usize) -> Option<&Event<'e>> {
        self.window.get(i.checked_sub(self.first)?)
    }

    /// Moves on to event `i`, dropping any before it that were skipped.
    /// True when event `i` was read ahead: take it with
    /// [`Events::take_read_ahead`]; false when it is the parser's next,
    /// read with [`Events::take_parsed`].
    #[inline(always)]
    pub(super) fn advance_to(&mut self, i: usize) -> bool {
        while self.first < i {
            if self.window.pop_front().is_none() && self.parse_next().is_none() {
                break;
            }
            self.first += 1;
        }
        !self.window.is_empty()
    }

    /// The event [`Events::advance_to`] found read ahead.
    pub(super) fn take_read_ahead(&mut self) -> Option<Event<'e>> {
        self.first += 1;
        self.window.pop_front()
    }

    /// The parser's next event with its byte range, taken without a stop
    /// in the window: most events come this way. The caller matches on
    /// the returned pair where it lies; at the release profile's size
    /// optimisation every move of an event is a `memcpy` call.
    #[inline(always)]
    pub(super) fn take_parsed(&mut self) -> Option<(Event<'e>, Range<usize>)> {
        let parsed = self.parser.next();
        if let Some((event, range)) = &parsed {
            self.note(event, range.start);
            self.first += 1;
        }
        parsed
    }

    /// The byte offset of the next code block taken.
    pub(super) fn next_code_start(&mut self) -> Option<usize> {
        self.code_starts.pop_front()
    }
}
