//! Workbooks (XLSX, XLS, ODS) into a [`Table`]: the sheet chosen by name, index or
//! content, the header row found below title rows, merged cells filled, Excel dates
//! as ISO dates, identifiers and phones without `.0` or exponent, empty columns dropped.

use std::path::Path;

use calamine::{Data, Dimensions, Range, Reader, Sheets, open_workbook_auto};

use super::error::ImportError;
use super::keys::fold;
use super::mapping::Field;
use super::table::{ReadLimits, SourceFormat, Table, TableRow, column_letter};

/// Which sheet to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SheetSelector {
    /// The first sheet that looks like a contact or company table.
    #[default]
    Auto,
    /// A sheet by name (case-insensitive).
    Name(String),
    /// A sheet by 0-based index.
    Index(usize),
}

impl SheetSelector {
    /// Parses a CLI value: a number is an index, anything else a name.
    pub fn parse(s: &str) -> SheetSelector {
        match s.trim().parse::<usize>() {
            Ok(i) => SheetSelector::Index(i),
            Err(_) => SheetSelector::Name(s.trim().to_string()),
        }
    }
}

/// Rows looked at when searching for the header.
const HEADER_SEARCH_ROWS: usize = 30;

/// Whether a file name looks like a workbook.
pub fn is_spreadsheet_path(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods"
        )
    })
}

/// A cell as text: dates as ISO, whole numbers without `.0`, no exponent.
///
/// ```
/// use calamine::Data;
/// use leadgen_stages::import::spreadsheet::cell_text;
/// assert_eq!(cell_text(&Data::Float(420602123456.0)), "420602123456");
/// assert_eq!(cell_text(&Data::Float(4626133.0)), "4626133");
/// assert_eq!(cell_text(&Data::Float(0.25)), "0.25");
/// assert_eq!(cell_text(&Data::Float(1e21)), "1000000000000000000000");
/// ```
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e300 {
                format!("{f:.0}")
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(ndt) if dt.is_datetime() => {
                if ndt.time() == chrono::NaiveTime::MIN {
                    ndt.date().format("%Y-%m-%d").to_string()
                } else {
                    ndt.format("%Y-%m-%dT%H:%M:%S").to_string()
                }
            }
            _ => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

fn non_empty_strings(range: &Range<Data>, row: usize) -> usize {
    (0..range.width())
        .filter(|&c| matches!(range.get((row, c)), Some(Data::String(s)) if !s.trim().is_empty()))
        .count()
}

/// The header row (relative index): the first of the top rows with at least two
/// text cells and at least 60% as many as the widest of them.
fn find_header_row(range: &Range<Data>) -> Option<usize> {
    let rows = range.height().min(HEADER_SEARCH_ROWS);
    let counts: Vec<usize> = (0..rows).map(|r| non_empty_strings(range, r)).collect();
    let max = counts.iter().copied().max()?;
    if max < 2 {
        return None;
    }
    counts.iter().position(|&n| n >= 2 && n * 10 >= max * 6)
}

/// How many header cells name a known field: the "looks like a contact or company
/// table" score.
fn table_score(range: &Range<Data>, header_row: usize) -> usize {
    (0..range.width())
        .filter_map(|c| match range.get((header_row, c)) {
            Some(Data::String(s)) => Some(fold(s)),
            _ => None,
        })
        .filter(|h| {
            Field::ALL
                .iter()
                .any(|f| super::mapping::header_matches(*f, h))
        })
        .count()
}

fn merged_regions(
    sheets: &mut Sheets<std::io::BufReader<std::fs::File>>,
    name: &str,
) -> Vec<Dimensions> {
    match sheets {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Reads one sheet of a workbook.
pub fn read_spreadsheet(
    path: &Path,
    selector: &SheetSelector,
    limits: &ReadLimits,
) -> Result<Table, ImportError> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| ImportError::Io {
        file: file.clone(),
        source,
    })?;
    if meta.len() == 0 {
        return Err(ImportError::EmptyFile { file });
    }
    if meta.len() > limits.max_file_bytes {
        return Err(ImportError::FileTooLarge {
            file,
            size: meta.len(),
            limit: limits.max_file_bytes,
        });
    }
    let mut sheets = open_workbook_auto(path).map_err(|e| ImportError::Spreadsheet {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    let names = sheets.sheet_names();
    let available = names.join(", ");
    let load = |sheets: &mut Sheets<_>, name: &str| {
        sheets
            .worksheet_range(name)
            .map_err(|e| ImportError::Spreadsheet {
                file: file.clone(),
                reason: format!("sheet {name}: {e}"),
            })
    };
    let (sheet, range) = match selector {
        SheetSelector::Name(want) => {
            let Some(name) = names.iter().find(|n| n.eq_ignore_ascii_case(want)) else {
                return Err(ImportError::SheetNotFound {
                    file,
                    sheet: format!("{want:?}"),
                    available,
                });
            };
            (name.clone(), load(&mut sheets, name)?)
        }
        SheetSelector::Index(i) => {
            let Some(name) = names.get(*i) else {
                return Err(ImportError::SheetNotFound {
                    file,
                    sheet: format!("#{i}"),
                    available,
                });
            };
            (name.clone(), load(&mut sheets, name)?)
        }
        SheetSelector::Auto => {
            let mut found = None;
            for name in &names {
                let range = load(&mut sheets, name)?;
                if let Some(h) = find_header_row(&range)
                    && table_score(&range, h) >= 2
                {
                    found = Some((name.clone(), range));
                    break;
                }
            }
            found.ok_or_else(|| ImportError::NoTableSheet {
                file: file.clone(),
                available: available.clone(),
            })?
        }
    };
    let merged = merged_regions(&mut sheets, &sheet);
    range_to_table(&file, &sheet, range, &merged)
}

fn range_to_table(
    file: &str,
    sheet: &str,
    range: Range<Data>,
    merged: &[Dimensions],
) -> Result<Table, ImportError> {
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let header_rel = find_header_row(&range).ok_or_else(|| ImportError::NoHeader {
        file: file.into(),
        reason: format!("sheet {sheet} has no row with two or more column names"),
    })?;
    let width = range.width();
    let height = range.height();
    let mut grid: Vec<Vec<String>> = (0..height)
        .map(|r| {
            (0..width)
                .map(|c| range.get((r, c)).map(cell_text).unwrap_or_default())
                .collect()
        })
        .collect();
    // A merged region shows its top-left value in every cell it covers.
    for m in merged {
        let (sr, sc) = (
            m.start.0 as i64 - row0 as i64,
            m.start.1 as i64 - col0 as i64,
        );
        let (er, ec) = (m.end.0 as i64 - row0 as i64, m.end.1 as i64 - col0 as i64);
        if sr <= header_rel as i64 || sr < 0 || sc < 0 {
            continue;
        }
        let (sr, sc) = (sr as usize, sc as usize);
        let Some(value) = grid.get(sr).and_then(|r| r.get(sc)).cloned() else {
            continue;
        };
        let last_row = (er as usize).min(height.saturating_sub(1));
        let last_col = (ec as usize).min(width.saturating_sub(1));
        for row in grid.iter_mut().take(last_row + 1).skip(sr) {
            for cell in row.iter_mut().take(last_col + 1).skip(sc) {
                if cell.trim().is_empty() {
                    cell.clone_from(&value);
                }
            }
        }
    }
    let header_cells = &grid[header_rel];
    // Empty columns: no header and no value in any data row.
    let keep: Vec<usize> = (0..width)
        .filter(|&c| {
            !header_cells[c].trim().is_empty()
                || grid[header_rel + 1..]
                    .iter()
                    .any(|r| !r[c].trim().is_empty())
        })
        .collect();
    let headers: Vec<String> = keep
        .iter()
        .map(|&c| {
            let h = header_cells[c].trim();
            if h.is_empty() {
                column_letter(col0 as usize + c)
            } else {
                h.to_string()
            }
        })
        .collect();
    let mut rows = Vec::new();
    for (r, cells) in grid.iter().enumerate().skip(header_rel + 1) {
        if keep.iter().all(|&c| cells[c].trim().is_empty()) {
            continue;
        }
        let record: csv::StringRecord = keep.iter().map(|&c| cells[c].as_str()).collect();
        rows.push(TableRow {
            line: (row0 as usize + r + 1) as u64,
            cells: record,
        });
    }
    let header_row = (row0 as usize + header_rel + 1) as u64;
    if rows.is_empty() {
        return Err(ImportError::HeaderOnly {
            file: file.into(),
            header_line: header_row,
        });
    }
    Ok(Table {
        file: file.into(),
        format: SourceFormat::Spreadsheet {
            sheet: sheet.into(),
            header_row,
        },
        headers,
        rows,
        errors: Vec::new(),
    })
}

/// The sheet names of a workbook.
pub fn sheet_names(path: &Path) -> Result<Vec<String>, ImportError> {
    let sheets = open_workbook_auto(path).map_err(|e| ImportError::Spreadsheet {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(sheets.sheet_names())
}
