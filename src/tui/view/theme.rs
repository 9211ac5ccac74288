//! Styles. With `NO_COLOR` only bold, reverse and underline remain: every meaning is also carried
//! by text or a symbol, never by colour alone.

use ratatui::style::{Color, Modifier, Style};

use crate::tui::app::Level;

/// The console's styles, with or without colour.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::default().fg(color)
        } else {
            Style::default()
        }
    }

    pub fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    pub fn title_dim(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn section(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn label(&self) -> Style {
        Style::default()
    }

    pub fn focused_label(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn value(&self) -> Style {
        Style::default()
    }

    pub fn placeholder(&self) -> Style {
        self.dim()
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red)
    }

    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    /// The sign that a list or the form goes on past the screen's edge.
    pub fn more(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::ITALIC)
    }

    pub fn key(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn highlight(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn agent(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn visitor(&self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn system(&self) -> Style {
        self.fg(Color::Magenta)
    }

    pub fn level(&self, level: Level) -> Style {
        match level {
            Level::Info => Style::default(),
            Level::Error => self.error().add_modifier(Modifier::BOLD),
        }
    }
}
