//! Cutting a large config's text into pieces that parse on their own, so the pieces can be
//! parsed side by side: a cut is made only before a line that is exactly an array-of-tables
//! header such as `[[jobs]]`, and never before the first one (so an inline `jobs = […]`
//! and the tables stay in one piece, where the parser refuses the pair). A header line
//! inside a multi-line string or array leaves the piece before it unterminated, so it does
//! not parse alone; callers then parse the whole text at once.

/// Pieces smaller than this are not worth a thread.
pub(crate) const MIN_PIECE: usize = 256 * 1024;

/// The text cut into at most `parts` pieces of similar size (each at least `min_piece`
/// bytes), each with its byte offset in `text`. One piece is the whole text.
pub(crate) fn pieces<'a>(
    text: &'a str,
    header: &str,
    parts: usize,
    min_piece: usize,
) -> Vec<(usize, &'a str)> {
    let parts = parts.min(text.len() / min_piece.max(1)).max(1);
    let cuts = header_lines(text, header);
    let mut starts = vec![0];
    for part in 1..parts {
        let target = text.len() / parts * part;
        // The first header line after the target that is past the last cut.
        if let Some(&cut) = cuts.iter().skip(1).find(|&&c| c >= target)
            && starts.last().is_some_and(|&last| cut > last)
        {
            starts.push(cut);
        }
    }
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| (start, &text[start..end]))
        .collect()
}

/// Byte offsets of the lines that are exactly `header` (surrounding blanks aside).
fn header_lines(text: &str, header: &str) -> Vec<usize> {
    let mut offsets = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == header {
            offsets.push(start);
        }
        start += line.len();
    }
    offsets
}

#[cfg(test)]
mod tests {
    use super::pieces;

    #[test]
    fn cuts_before_header_lines_but_never_the_first() {
        let text = "[[jobs]]\na = 1\n[[jobs]]\na = 2\n  [[jobs]]  \na = 3\n[[jobs]]\n";
        let cut = pieces(text, "[[jobs]]", 3, 1);
        let joined: String = cut.iter().map(|(_, p)| *p).collect();
        assert_eq!(joined, text);
        assert_eq!(cut[0].0, 0);
        assert!(cut[0].1.starts_with("[[jobs]]\na = 1\n"));
        for (offset, piece) in &cut[1..] {
            assert_eq!(&text[*offset..*offset + piece.len()], *piece);
            assert!(piece.trim_start().starts_with("[[jobs]]"), "{piece:?}");
        }
        assert_eq!(cut.len(), 3);
    }

    #[test]
    fn small_texts_and_texts_without_headers_stay_whole() {
        assert_eq!(pieces("[[jobs]]\n[[jobs]]\n", "[[jobs]]", 2, 1024).len(), 1);
        assert_eq!(pieces("a = 1\n", "[[jobs]]", 8, 1).len(), 1);
        assert_eq!(pieces("", "[[jobs]]", 8, 1), [(0, "")]);
    }
}
