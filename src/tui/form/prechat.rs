//! The pre-chat lines: an editable list of one-line inputs (add, edit, delete, reorder, replace
//! from an editor). Plain data; no I/O.

use tui_input::{Input, InputRequest};

/// The pre-chat lines as typed. There is always at least one line, possibly empty, so there is
/// always somewhere to type; an empty single line sends nothing.
#[derive(Debug, Clone)]
pub struct PreChat {
    pub lines: Vec<Input>,
}

impl Default for PreChat {
    fn default() -> Self {
        Self {
            lines: vec![Input::default()],
        }
    }
}

impl PreChat {
    /// A list holding these lines (one empty line when none).
    pub fn from_values(values: &[String]) -> Self {
        let mut list = Self {
            lines: values.iter().map(|v| Input::new(v.clone())).collect(),
        };
        if list.lines.is_empty() {
            list.lines.push(Input::default());
        }
        list
    }

    /// The lines as typed, for the request; a lone empty line is no line at all.
    pub fn values(&self) -> Vec<String> {
        let values: Vec<String> = self.lines.iter().map(|l| l.value().to_string()).collect();
        if values.len() == 1 && values[0].trim().is_empty() {
            Vec::new()
        } else {
            values
        }
    }

    /// Edits line `index`; whether its value changed.
    pub fn edit(&mut self, index: usize, request: InputRequest) -> bool {
        self.lines
            .get_mut(index)
            .and_then(|line| line.handle(request))
            .is_some_and(|changed| changed.value)
    }

    /// Inserts an empty line after `index`; the new line's position.
    pub fn add_after(&mut self, index: usize) -> usize {
        let at = (index + 1).min(self.lines.len());
        self.lines.insert(at, Input::default());
        at
    }

    /// Deletes line `index` (the last line is emptied instead); the position to focus.
    pub fn delete(&mut self, index: usize) -> usize {
        if self.lines.len() <= 1 {
            self.lines = vec![Input::default()];
            return 0;
        }
        if index < self.lines.len() {
            self.lines.remove(index);
        }
        index.min(self.lines.len() - 1)
    }

    /// Moves line `index` up (`-1`) or down (`+1`); its new position.
    pub fn move_line(&mut self, index: usize, step: isize) -> usize {
        let Some(target) = index.checked_add_signed(step) else {
            return index;
        };
        if target >= self.lines.len() || index >= self.lines.len() {
            return index;
        }
        self.lines.swap(index, target);
        target
    }

    /// The text handed to `$EDITOR`: one line each.
    pub fn editor_text(&self) -> String {
        let mut text = self.values().join("\n");
        text.push('\n');
        text
    }

    /// Replaces the lines with what came back from the editor; blank lines are dropped.
    pub fn replace_from_editor(&mut self, text: &str) {
        let values: Vec<String> = text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        *self = Self::from_values(&values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(list: &PreChat) -> Vec<String> {
        list.values()
    }

    #[test]
    fn add_delete_and_reorder_keep_one_line_to_type_in() {
        let mut list = PreChat::from_values(&["a".into(), "b".into()]);
        assert_eq!(list.add_after(0), 1);
        list.edit(1, InputRequest::InsertChar('x'));
        assert_eq!(values(&list), ["a", "x", "b"]);
        assert_eq!(list.move_line(1, 1), 2);
        assert_eq!(values(&list), ["a", "b", "x"]);
        assert_eq!(
            list.move_line(2, 1),
            2,
            "the last line cannot go further down"
        );
        assert_eq!(
            list.move_line(0, -1),
            0,
            "the first line cannot go further up"
        );
        assert_eq!(list.delete(2), 1);
        assert_eq!(list.delete(0), 0);
        assert_eq!(values(&list), ["b"]);
        assert_eq!(list.delete(0), 0);
        assert_eq!(list.lines.len(), 1);
        assert!(values(&list).is_empty(), "a lone empty line sends nothing");
    }

    #[test]
    fn editor_round_trip_drops_blank_lines() {
        let mut list = PreChat::from_values(&["one".into(), "two".into()]);
        assert_eq!(list.editor_text(), "one\ntwo\n");
        list.replace_from_editor("first\n\n  \nsecond  \nthird\n");
        assert_eq!(values(&list), ["first", "second", "third"]);
        list.replace_from_editor("");
        assert_eq!(list.lines.len(), 1);
    }
}
