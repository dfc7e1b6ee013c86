//! The rows of a [`Table`](super::Table), stored as an arena: every cell is a span of
//! one of two text buffers the rows own, so reading 100k rows makes a handful of
//! allocations instead of two per row.
//!
//! The CSV reader keeps the decoded file as the first buffer and points unquoted cells
//! into it (no copy); cells that had quotes to unescape, and the cells of the other
//! readers, are copied into the second.

use rayon::prelude::*;

/// Where one cell's text lies: `start` is relative to its row's base in the buffer,
/// and the top bit of `len` tells which buffer (set: the copied cells).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

/// The `len` bit of a cell in the copied-cells buffer.
const COPIED: u32 = 1 << 31;

/// The longest cell a table holds, in bytes (the readers' field limits stay below).
pub(crate) const MAX_CELL_BYTES: usize = (COPIED - 1) as usize;

/// One row: its line, its first cell, and the bases its cells' spans are relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    line: u64,
    first: usize,
    text_base: usize,
    copied_base: usize,
}

/// One cell handed to [`Rows::push_cells`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cell<'a> {
    /// The byte range `start..end` of the rows' text.
    At(usize, usize),
    /// Text to copy in.
    Copy(&'a str),
}

/// A row whose cells do not fit a table row: a cell over 2 GiB, or over 4 GiB of
/// text in the whole row. Nothing of the row is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a row of {bytes} bytes: more than a table row holds (cells up to 2 GiB, rows up to 4 GiB)"
)]
pub struct RowTooLarge {
    /// The bytes of the row (or of its largest cell).
    pub bytes: usize,
}

/// A table's well-formed rows, in file order.
///
/// ```
/// use leadgen_stages::import::Rows;
/// let mut rows = Rows::new();
/// rows.push_row(2, ["Jan", "jan@x.cz"])?;
/// rows.push_row(4, ["Eva", ""])?;
/// assert_eq!(rows.len(), 2);
/// let eva = rows.get(1).unwrap();
/// assert_eq!((eva.line, eva.get(0), eva.len()), (4, Some("Eva"), 2));
/// let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
/// assert_eq!(lines, [2, 4]);
/// let names: Vec<&str> = rows.iter().flat_map(|r| r.iter().take(1)).collect();
/// assert_eq!(names, ["Jan", "Eva"]);
/// // In parallel, in order (rayon):
/// use rayon::prelude::*;
/// let widths: Vec<usize> = rows.par_iter().map(|r| r.len()).collect();
/// assert_eq!(widths, [2, 2]);
/// # Ok::<(), leadgen_stages::import::RowTooLarge>(())
/// ```
#[derive(Clone, Default)]
pub struct Rows {
    /// The text unquoted cells point into (a CSV file's decoded text), or empty.
    text: String,
    /// The cells copied in: unescaped quoted CSV cells, other readers' cells.
    copied: String,
    cells: Vec<Span>,
    rows: Vec<Entry>,
}

impl Rows {
    /// No rows.
    pub fn new() -> Self {
        Rows::default()
    }

    /// Rows pointing into `text`; for tests (the CSV reader attaches its text after).
    #[cfg(test)]
    pub(crate) fn with_text(text: String) -> Self {
        Rows {
            text,
            ..Rows::default()
        }
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row `i` (0-based, in file order), if there is one.
    pub fn get(&self, i: usize) -> Option<Row<'_>> {
        let entry = self.rows.get(i)?;
        let end = self.rows.get(i + 1).map_or(self.cells.len(), |e| e.first);
        Some(Row {
            line: entry.line,
            spans: self.cells.get(entry.first..end).unwrap_or_default(),
            text: self.text.get(entry.text_base..).unwrap_or_default(),
            copied: self.copied.get(entry.copied_base..).unwrap_or_default(),
        })
    }

    /// Row `i`, for `i` below [`Rows::len`]; an empty row past the end.
    fn row(&self, i: usize) -> Row<'_> {
        self.get(i).unwrap_or(Row {
            line: 0,
            spans: &[],
            text: "",
            copied: "",
        })
    }

    /// The rows in file order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Row<'_>> + DoubleEndedIterator + '_ {
        (0..self.len()).map(|i| self.row(i))
    }

    /// The rows in parallel (rayon), indexed: `collect` keeps file order.
    pub fn par_iter(&self) -> impl IndexedParallelIterator<Item = Row<'_>> + '_ {
        (0..self.len()).into_par_iter().map(|i| self.row(i))
    }

    /// Adds a row, copying its cells.
    pub fn push_row<S: AsRef<str>>(
        &mut self,
        line: u64,
        cells: impl IntoIterator<Item = S>,
    ) -> Result<(), RowTooLarge> {
        let first = self.cells.len();
        let copied_base = self.copied.len();
        for cell in cells {
            if let Err(e) = self.push_copied(cell.as_ref(), copied_base) {
                self.cells.truncate(first);
                self.copied.truncate(copied_base);
                return Err(e);
            }
        }
        self.rows.push(Entry {
            line,
            first,
            text_base: 0,
            copied_base,
        });
        Ok(())
    }

    /// Adds a row of [`Cell`]s: ranges of the text these rows point into (attached by
    /// [`Rows::attach_text`], before or after) and copied cells. `base` is where the
    /// row's record starts in the text: no range starts before it.
    pub(crate) fn push_cells<'c>(
        &mut self,
        line: u64,
        base: usize,
        cells: impl IntoIterator<Item = Cell<'c>>,
    ) -> Result<(), RowTooLarge> {
        let first = self.cells.len();
        let copied_base = self.copied.len();
        for cell in cells {
            let pushed = match cell {
                Cell::At(start, end) => {
                    let len = end.saturating_sub(start);
                    match u32::try_from(start.saturating_sub(base)) {
                        Ok(rel)
                            if len <= MAX_CELL_BYTES
                                && u32::try_from(rel as usize + len).is_ok() =>
                        {
                            self.cells.push(Span {
                                start: rel,
                                len: len as u32,
                            });
                            Ok(())
                        }
                        _ => Err(RowTooLarge {
                            bytes: end.saturating_sub(base),
                        }),
                    }
                }
                Cell::Copy(text) => self.push_copied(text, copied_base),
            };
            if let Err(e) = pushed {
                self.cells.truncate(first);
                self.copied.truncate(copied_base);
                return Err(e);
            }
        }
        self.rows.push(Entry {
            line,
            first,
            text_base: base,
            copied_base,
        });
        Ok(())
    }

    /// [`Rows::push_cells`] for a row of text ranges only, all within `base..end`
    /// (its record): one check for the whole row when the record is short enough.
    pub(crate) fn push_ranges(
        &mut self,
        line: u64,
        base: usize,
        end: usize,
        ranges: impl ExactSizeIterator<Item = (usize, usize)>,
    ) -> Result<(), RowTooLarge> {
        if end.saturating_sub(base) > MAX_CELL_BYTES {
            return self.push_cells(line, base, ranges.map(|(a, b)| Cell::At(a, b)));
        }
        let first = self.cells.len();
        // Every range lies in the record, under 2 GiB: its offsets fit in `u32`.
        self.cells.extend(ranges.map(|(a, b)| Span {
            start: a.saturating_sub(base) as u32,
            len: b.saturating_sub(a) as u32,
        }));
        self.rows.push(Entry {
            line,
            first,
            text_base: base,
            copied_base: self.copied.len(),
        });
        Ok(())
    }

    /// Copies one cell of the row whose copied cells start at `copied_base`.
    fn push_copied(&mut self, cell: &str, copied_base: usize) -> Result<(), RowTooLarge> {
        let start = self.copied.len() - copied_base;
        match u32::try_from(start) {
            Ok(rel)
                if cell.len() <= MAX_CELL_BYTES && u32::try_from(start + cell.len()).is_ok() =>
            {
                self.copied.push_str(cell);
                self.cells.push(Span {
                    start: rel,
                    len: cell.len() as u32 | COPIED,
                });
                Ok(())
            }
            _ => Err(RowTooLarge {
                bytes: start + cell.len(),
            }),
        }
    }

    /// Cells in all rows.
    pub(crate) fn cell_count(&self) -> usize {
        self.cells.len()
    }

    /// Makes room for `rows` more rows of `cells` cells in all.
    pub(crate) fn reserve(&mut self, rows: usize, cells: usize) {
        self.rows.reserve(rows);
        self.cells.reserve(cells);
    }

    /// Moves `other`'s rows after these, their lines shifted by `line_shift`.
    /// Both point into the same text (or none).
    pub(crate) fn append(&mut self, mut other: Rows, line_shift: u64) {
        if self.rows.is_empty() && self.cells.is_empty() && self.copied.is_empty() {
            // Nothing to keep here: take `other`'s buffers instead of copying them.
            for e in &mut other.rows {
                e.line += line_shift;
            }
            other.text = std::mem::take(&mut self.text);
            *self = other;
            return;
        }
        let (cells, copied) = (self.cells.len(), self.copied.len());
        self.rows.extend(other.rows.iter().map(|e| Entry {
            line: e.line + line_shift,
            first: e.first + cells,
            text_base: e.text_base,
            copied_base: e.copied_base + copied,
        }));
        self.cells.extend_from_slice(&other.cells);
        self.copied.push_str(&other.copied);
    }

    /// Gives rows built with text ranges the text they point into.
    pub(crate) fn attach_text(&mut self, text: String) {
        self.text = text;
    }

    /// Removes the last rows while they are on line `line`.
    pub(crate) fn pop_line(&mut self, line: u64) {
        while let Some(last) = self.rows.last().copied() {
            if last.line != line {
                break;
            }
            self.rows.pop();
            self.cells.truncate(last.first);
            self.copied.truncate(last.copied_base);
        }
    }

    /// Adds every row of `lines` (a line number and its cells); for tests.
    #[cfg(test)]
    pub(crate) fn from_cells(lines: &[(u64, &[&str])]) -> Self {
        let mut rows = Rows::new();
        for (line, cells) in lines {
            rows.push_row(*line, cells.iter())
                .expect("test rows are small");
        }
        rows
    }
}

/// Rows are equal when they hold the same lines and cells, wherever the cells are
/// stored (a serial and a parallel read of one file compare equal).
impl PartialEq for Rows {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One well-formed data row: its line and its cells, one per header column.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    /// 1-based physical line (CSV: the record's first line) or worksheet row.
    pub line: u64,
    spans: &'a [Span],
    text: &'a str,
    copied: &'a str,
}

impl<'a> Row<'a> {
    /// How many cells.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the row has no cell.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Cell `i` (0-based column), if the row has one.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        self.spans.get(i).map(|&s| self.cell(s))
    }

    /// The cells in column order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'a str> + DoubleEndedIterator + use<'a> {
        let row = *self;
        self.spans.iter().map(move |&s| row.cell(s))
    }

    fn cell(&self, s: Span) -> &'a str {
        let (buf, len) = if s.len & COPIED != 0 {
            (self.copied, s.len & !COPIED)
        } else {
            (self.text, s.len)
        };
        let start = s.start as usize;
        buf.get(start..start + len as usize).unwrap_or_default()
    }
}

impl PartialEq for Row<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.line == other.line && self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Row<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Row")
            .field("line", &self.line)
            .field("cells", &self.iter().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_copied_cells_read_back() {
        let text = "a,b\nJan,x\n\"E\"\"va\",y\n".to_string();
        let mut rows = Rows::with_text(text);
        rows.push_cells(2, 4, [Cell::At(4, 7), Cell::At(8, 9)])
            .unwrap();
        rows.push_cells(3, 10, [Cell::Copy("E\"va"), Cell::At(18, 19)])
            .unwrap();
        rows.push_ranges(4, 14, 15, [(14, 14)].into_iter()).unwrap();
        let all: Vec<(u64, Vec<&str>)> =
            rows.iter().map(|r| (r.line, r.iter().collect())).collect();
        assert_eq!(
            all,
            [
                (2, vec!["Jan", "x"]),
                (3, vec!["E\"va", "y"]),
                (4, vec![""])
            ]
        );
        assert_eq!(rows.get(0).and_then(|r| r.get(2)), None);
        assert!(rows.get(3).is_none());
        rows.pop_line(4);
        rows.pop_line(2);
        assert_eq!(rows.len(), 2);
        let copy = Rows::from_cells(&[(2, &["Jan", "x"]), (3, &["E\"va", "y"])]);
        assert_eq!(rows, copy);
        assert_ne!(rows, Rows::from_cells(&[(2, &["Jan", "x"])]));
    }

    #[test]
    fn append_shifts_lines_and_keeps_cells() {
        let mut a = Rows::from_cells(&[(1, &["a", "b"])]);
        let b = Rows::from_cells(&[(1, &["c", "d"]), (3, &["e", ""])]);
        a.append(b, 10);
        let want = Rows::from_cells(&[(1, &["a", "b"]), (11, &["c", "d"]), (13, &["e", ""])]);
        assert_eq!(a, want);
        let par: Vec<u64> = a.par_iter().map(|r| r.line).collect();
        assert_eq!(par, [1, 11, 13]);
    }

    #[test]
    fn oversized_rows_are_refused_whole() {
        let mut rows = Rows::with_text(String::new());
        let far = u32::MAX as usize + 10;
        let cells = [Cell::At(0, 1), Cell::Copy("x"), Cell::At(far, far + 1)];
        assert!(rows.push_cells(2, 0, cells).is_err());
        assert!(
            rows.push_cells(2, 0, [Cell::At(0, MAX_CELL_BYTES + 1)])
                .is_err()
        );
        let ranges = [(0, 1), (far, far + 1)].into_iter();
        assert!(rows.push_ranges(2, 0, far + 1, ranges).is_err());
        assert!(rows.is_empty());
        assert_eq!((rows.cells.len(), rows.copied.len()), (0, 0));
    }
}
