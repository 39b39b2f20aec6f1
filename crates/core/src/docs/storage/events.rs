//! The parser's events with a window of lookahead. A few constructs need
//! to see what follows them (a task list, a `> **Note:**` label, a table
//! of contents); everything else is handled as it is parsed, so a 1 MiB
//! document never holds all of its events at once.

use std::collections::VecDeque;

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

    /// Parses up to event `i`; false when the document ends before it.
    pub(super) fn fill(&mut self, i: usize) -> bool {
        while self.first + self.window.len() <= i {
            let Some((event, range)) = self.parser.next() else {
                return false;
            };
            if matches!(event, Event::Start(Tag::CodeBlock(_))) {
                self.code_starts.push_back(range.start);
            }
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

    /// Takes event `i` out, dropping any before it that were skipped.
    pub(super) fn take(&mut self, i: usize) -> Option<Event<'e>> {
        if !self.fill(i) {
            return None;
        }
        while self.first < i {
            self.window.pop_front();
            self.first += 1;
        }
        self.first += 1;
        self.window.pop_front()
    }

    /// The byte offset of the next code block taken.
    pub(super) fn next_code_start(&mut self) -> Option<usize> {
        self.code_starts.pop_front()
    }
}
