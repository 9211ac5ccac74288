//! Counts in words: `1 chat`, `2 chats`. Every message that counts something says it through
//! [`count`], so none says "1 errors" or hedges with "chat(s)".

/// `n` with its noun in the right number: `one` when `n` is 1, `many` otherwise (`0 chats`).
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", noun(n, one, many))
}

/// The noun alone, in the number `n` asks for.
pub fn noun<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "error", "errors"), "1 error");
        assert_eq!(count(0, "error", "errors"), "0 errors");
        assert_eq!(count(2, "case", "cases"), "2 cases");
        assert_eq!(noun(1, "was", "were"), "was");
    }
}
