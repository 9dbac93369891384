//! A small line editor for form fields: a string and a caret counted in characters, so that
//! Chinese text (two columns a character) edits and measures correctly.

/// Editable text with a caret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    text: String,
    caret: usize,
}

impl Editor {
    /// An editor holding `text`, caret at the end.
    pub fn new(text: impl Into<String>) -> Editor {
        let text = text.into();
        let caret = text.chars().count();
        Editor { text, caret }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The caret, in characters from the start.
    pub fn caret(&self) -> usize {
        self.caret
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map(|(b, _)| b)
            .unwrap_or(self.text.len())
    }

    /// Inserts a character at the caret.
    pub fn insert(&mut self, c: char) {
        let b = self.byte_at(self.caret);
        self.text.insert(b, c);
        self.caret += 1;
    }

    /// Inserts text at the caret.
    pub fn insert_str(&mut self, s: &str) {
        let b = self.byte_at(self.caret);
        self.text.insert_str(b, s);
        self.caret += s.chars().count();
    }

    /// Deletes the character before the caret.
    pub fn backspace(&mut self) {
        if self.caret == 0 {
            return;
        }
        let b = self.byte_at(self.caret - 1);
        self.text.remove(b);
        self.caret -= 1;
    }

    /// Deletes the character at the caret.
    pub fn delete(&mut self) {
        if self.caret < self.text.chars().count() {
            let b = self.byte_at(self.caret);
            self.text.remove(b);
        }
    }

    /// Moves the caret one character left.
    pub fn left(&mut self) {
        self.caret = self.caret.saturating_sub(1);
    }

    /// Moves the caret one character right.
    pub fn right(&mut self) {
        self.caret = (self.caret + 1).min(self.text.chars().count());
    }

    /// Moves the caret to the start of its line.
    pub fn home(&mut self) {
        let before: Vec<char> = self.text.chars().take(self.caret).collect();
        self.caret = before
            .iter()
            .rposition(|c| *c == '\n')
            .map(|i| i + 1)
            .unwrap_or(0);
    }

    /// Moves the caret to the end of its line.
    pub fn end(&mut self) {
        let after = self
            .text
            .chars()
            .skip(self.caret)
            .take_while(|c| *c != '\n')
            .count();
        self.caret += after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_by_character() {
        let mut e = Editor::new("河口镇");
        assert_eq!(e.caret(), 3);
        e.left();
        e.insert('x');
        assert_eq!(e.text(), "河口x镇");
        e.backspace();
        e.backspace();
        assert_eq!(e.text(), "河镇");
        e.home();
        e.delete();
        assert_eq!(e.text(), "镇");
        e.insert_str("一\n二");
        e.home();
        assert_eq!(e.caret(), 2);
        e.end();
        assert_eq!(e.caret(), 4);
    }
}
