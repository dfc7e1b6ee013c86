//! Workbooks (XLSX, XLS, ODS) into a [`Table`]: the sheet chosen by name, index or
//! content, the header row found below title rows, merged cells filled, Excel dates
//! as ISO dates, identifiers and phones without `.0` or exponent, empty columns dropped.

use std::borrow::Cow;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{Data, Dimensions, Ods, Range, Reader, Sheets, Xls, Xlsb, Xlsx};
use chrono::{Datelike, Timelike};

use super::error::{ImportError, RowError, RowErrorKind};
use super::keys::fold;
use super::mapping::Field;
use super::table::{ReadLimits, Rows, SourceFormat, Table, column_letter};

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

/// The kind of workbook a file holds, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WorkbookKind {
    /// Office Open XML (`.xlsx`, `.xlsm`): a ZIP archive.
    Xlsx,
    /// Excel binary workbook (`.xlsb`): a ZIP archive, told apart by its extension.
    Xlsb,
    /// Excel 97–2003 (`.xls`): an OLE2 compound file.
    Xls,
    /// OpenDocument spreadsheet (`.ods`): a ZIP archive whose first entry names the
    /// ODS media type.
    Ods,
}

const OLE2_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// The workbook kind of a file's first bytes (`None`: not a workbook), with the
/// file name's extension to tell XLSB from XLSX.
///
/// ```
/// use leadgen_stages::import::spreadsheet::{workbook_kind_of, WorkbookKind};
/// let ole2 = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
/// assert_eq!(workbook_kind_of(&ole2, "x.dat".as_ref()), Some(WorkbookKind::Xls));
/// assert_eq!(workbook_kind_of(b"Name,Email\n", "x.xlsx".as_ref()), None);
/// ```
pub fn workbook_kind_of(head: &[u8], path: &Path) -> Option<WorkbookKind> {
    if head.starts_with(OLE2_MAGIC) {
        return Some(WorkbookKind::Xls);
    }
    if !head.starts_with(ZIP_MAGIC) {
        return None;
    }
    // An ODS archive starts with a stored `mimetype` entry: name at byte 30, the
    // media type right after it.
    if head.get(30..38) == Some(b"mimetype") && head[38..].starts_with(ODS_MIMETYPE) {
        return Some(WorkbookKind::Ods);
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("xlsb") {
        Some(WorkbookKind::Xlsb)
    } else if ext.eq_ignore_ascii_case("ods") {
        Some(WorkbookKind::Ods)
    } else {
        Some(WorkbookKind::Xlsx)
    }
}

/// The workbook kind of a file, by its content (not its name); `None` for any other
/// file, and for a file that cannot be read (the reader reports that).
pub fn workbook_kind(path: &Path) -> Option<WorkbookKind> {
    let mut head = [0u8; 96];
    let mut file = std::fs::File::open(path).ok()?;
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(_) => return None,
        }
    }
    workbook_kind_of(&head[..n], path)
}

/// Whether a file is a workbook: by its first bytes, so a workbook saved under
/// another extension is still read as one.
pub fn is_spreadsheet_file(path: &Path) -> bool {
    workbook_kind(path).is_some()
}

type Workbook = Sheets<BufReader<std::fs::File>>;

/// Opens a workbook of a known kind.
fn open_workbook(path: &Path, file: &str) -> Result<Workbook, ImportError> {
    let fail = |reason: String| ImportError::Spreadsheet {
        file: file.into(),
        reason,
    };
    let Some(kind) = workbook_kind(path) else {
        return Err(fail(
            "not an XLSX, XLS or ODS workbook: the file starts with neither a ZIP nor an OLE2 signature"
                .into(),
        ));
    };
    let reader = BufReader::new(std::fs::File::open(path).map_err(|source| ImportError::Io {
        file: file.into(),
        source,
    })?);
    Ok(match kind {
        WorkbookKind::Xlsx => Sheets::Xlsx(Xlsx::new(reader).map_err(|e| fail(e.to_string()))?),
        WorkbookKind::Xlsb => Sheets::Xlsb(Xlsb::new(reader).map_err(|e| fail(e.to_string()))?),
        WorkbookKind::Xls => Sheets::Xls(Xls::new(reader).map_err(|e| fail(e.to_string()))?),
        WorkbookKind::Ods => Sheets::Ods(Ods::new(reader).map_err(|e| fail(e.to_string()))?),
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
    cell_str(cell).into_owned()
}

/// [`cell_text`] borrowing text cells: most cells of a sheet are text, and copying
/// each one was a large part of reading a workbook.
fn cell_str(cell: &Data) -> Cow<'_, str> {
    Cow::Owned(match cell {
        Data::Empty | Data::Error(_) => return Cow::Borrowed(""),
        Data::String(s) => return Cow::Borrowed(s),
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
                // chrono's formatter is slow; a year outside 0–9999 or a leap second
                // is left to it.
                let (y, mo, d) = (ndt.year(), ndt.month(), ndt.day());
                let (h, mi, sec) = (ndt.hour(), ndt.minute(), ndt.second());
                if (0..=9999).contains(&y) && ndt.nanosecond() < 1_000_000_000 {
                    if ndt.time() == chrono::NaiveTime::MIN {
                        format!("{y:04}-{mo:02}-{d:02}")
                    } else {
                        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}")
                    }
                } else if ndt.time() == chrono::NaiveTime::MIN {
                    ndt.date().format("%Y-%m-%d").to_string()
                } else {
                    ndt.format("%Y-%m-%dT%H:%M:%S").to_string()
                }
            }
            _ => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => return Cow::Borrowed(s),
    })
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

fn merged_regions(sheets: &mut Workbook, path: &Path, name: &str) -> Vec<Dimensions> {
    match sheets {
        Sheets::Xlsx(x) => xlsx_merged_regions(path, name)
            .unwrap_or_else(|| x.merge_cells_by_sheet_name(name).unwrap_or_default()),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        // calamine does not report ODS spans; read them from `content.xml`. A file
        // calamine could read but this cannot simply has no merged cells filled.
        Sheets::Ods(_) => ods_merged_regions(path, name).unwrap_or_default(),
        Sheets::Xlsb(_) => Vec::new(),
    }
}

/// The merged regions of one XLSX sheet, found without parsing its cells again:
/// calamine's `merge_cells_by_sheet_name` runs the XML parser over the whole sheet
/// (a quarter of an XLSX import's time), while `<mergeCells>` sits after the cell
/// data, so a byte search finds it and only that tail is parsed. `None` when the
/// workbook's layout is not the usual one; the caller then asks calamine.
fn xlsx_merged_regions(path: &Path, sheet: &str) -> Option<Vec<Dimensions>> {
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).ok()?;
    let workbook = zip_entry(&mut zip, "xl/workbook.xml")?;
    let rel_id = xml_attr_where(&workbook, "sheet", ("name", sheet), |k| {
        k == "id" || k.ends_with(":id")
    })?;
    let rels = zip_entry(&mut zip, "xl/_rels/workbook.xml.rels")?;
    let target = xml_attr_where(&rels, "Relationship", ("Id", &rel_id), |k| k == "Target")?;
    let part = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{target}"),
    };
    let xml = zip_entry(&mut zip, &part)?;
    let Some(at) = memchr::memmem::find(&xml, b"mergeCells") else {
        return Some(Vec::new());
    };
    // Back to the `<` of the element (a namespace prefix may precede the name).
    let open = xml[..at].iter().rposition(|&b| b == b'<')?;
    let mut reader = quick_xml::Reader::from_reader(&xml[open..]);
    let mut regions = Vec::new();
    loop {
        match reader.read_event().ok()? {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.local_name().as_ref() == "mergeCell" =>
            {
                let range = e.try_get_attribute("ref").ok()??;
                regions.push(cell_range(&range.value)?);
            }
            quick_xml::events::Event::End(e) if e.local_name().as_ref() == "mergeCells" => {
                break;
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    Some(regions)
}

/// One entry of a zip archive, decompressed.
fn zip_entry<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<Vec<u8>> {
    let mut entry = zip.by_name(name).ok()?;
    let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
    entry.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// The value of the attribute picked by `wanted` on the first `element` whose
/// attribute `key` equals `value` (attribute values unescaped).
fn xml_attr_where(
    xml: &[u8],
    element: &str,
    (key, value): (&str, &str),
    wanted: impl Fn(&str) -> bool,
) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    loop {
        match reader.read_event().ok()? {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.local_name().as_ref() == element =>
            {
                let unescaped = |a: quick_xml::events::attributes::Attribute<'_>| {
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .ok()
                        .map(|v| v.into_owned())
                };
                let matches = e.try_get_attribute(key).ok()?.and_then(unescaped);
                if matches.as_deref() == Some(value) {
                    return e
                        .attributes()
                        .flatten()
                        .find(|a| wanted(a.key.as_ref()))
                        .and_then(unescaped);
                }
            }
            quick_xml::events::Event::Eof => return None,
            _ => {}
        }
    }
}

/// `A1` or `A1:C3` as zero-based (row, column) dimensions.
fn cell_range(range: &str) -> Option<Dimensions> {
    let cell = |c: &str| -> Option<(u32, u32)> {
        let digits = c.find(|ch: char| ch.is_ascii_digit())?;
        let (letters, number) = c.split_at(digits);
        if letters.is_empty() {
            return None;
        }
        let mut col: u32 = 0;
        for b in letters.bytes() {
            if !b.is_ascii_alphabetic() {
                return None;
            }
            col = col
                .checked_mul(26)?
                .checked_add(u32::from(b.to_ascii_uppercase() - b'A' + 1))?;
        }
        let row: u32 = number.parse().ok()?;
        Some((row.checked_sub(1)?, col - 1))
    };
    let (start, end) = match range.split_once(':') {
        Some((a, b)) => (cell(a)?, cell(b)?),
        None => (cell(range)?, cell(range)?),
    };
    Some(Dimensions { start, end })
}

/// A numeric attribute of an ODS element (`table:number-columns-repeated`), 1 if
/// absent or unreadable.
fn ods_count(e: &quick_xml::events::BytesStart<'_>, name: &str) -> u32 {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.value.trim().parse().ok())
        .filter(|&n: &u32| n >= 1)
        .unwrap_or(1)
}

/// The merged regions (`table:number-columns-spanned` / `-rows-spanned`) of one
/// sheet of an ODS file, in absolute worksheet coordinates.
fn ods_merged_regions(path: &Path, sheet: &str) -> Option<Vec<Dimensions>> {
    use quick_xml::events::Event;

    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).ok()?;
    let content = zip.by_name("content.xml").ok()?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut regions = Vec::new();
    let (mut in_sheet, mut depth, mut row, mut col) = (false, 0usize, 0u32, 0u32);
    let mut row_repeat = 1u32;
    loop {
        let event = xml.read_event_into(&mut buf).ok()?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" if !in_sheet => {
                    let name = e.try_get_attribute("table:name").ok().flatten();
                    let name = name.and_then(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .ok()
                            .map(|v| v.into_owned())
                    });
                    if name.as_deref() == Some(sheet) && !empty {
                        in_sheet = true;
                        depth = 0;
                    }
                }
                "table:table" if in_sheet && !empty => depth += 1,
                "table:table-row" if in_sheet && depth == 0 => {
                    col = 0;
                    row_repeat = ods_count(&e, "table:number-rows-repeated");
                    if empty {
                        row = row.saturating_add(row_repeat);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" if in_sheet && depth == 0 => {
                    let cols = ods_count(&e, "table:number-columns-spanned");
                    let rows = ods_count(&e, "table:number-rows-spanned");
                    if cols > 1 || rows > 1 {
                        regions.push(Dimensions {
                            start: (row, col),
                            end: (row + rows - 1, col + cols - 1),
                        });
                    }
                    col = col.saturating_add(ods_count(&e, "table:number-columns-repeated"));
                }
                _ => {}
            },
            Event::End(e) if in_sheet => match e.name().as_ref() {
                "table:table" if depth == 0 => return Some(regions),
                "table:table" => depth -= 1,
                "table:table-row" if depth == 0 => row = row.saturating_add(row_repeat),
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    in_sheet.then_some(regions)
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
    let mut sheets = open_workbook(path, &file)?;
    let names = sheets.sheet_names();
    let available = names.join(", ");
    let parse_sheet = |sheets: &mut Workbook, name: &str| {
        sheets
            .worksheet_range(name)
            .map_err(|e| ImportError::Spreadsheet {
                file: file.clone(),
                reason: format!("sheet {name}: {e}"),
            })
    };
    // An XLSX sheet's merged regions take a second pass over its compressed XML
    // (see `xlsx_merged_regions`): run it beside calamine's parse of the same sheet.
    // `None`: not prefetched (another format, or an unusual layout).
    let load = |sheets: &mut Workbook,
                name: &str|
     -> Result<(Range<Data>, Option<Vec<Dimensions>>), ImportError> {
        if matches!(sheets, Sheets::Xlsx(_)) {
            let (range, merged) = rayon::join(
                || parse_sheet(sheets, name),
                || xlsx_merged_regions(path, name),
            );
            Ok((range?, merged))
        } else {
            Ok((parse_sheet(sheets, name)?, None))
        }
    };
    let (sheet, (range, prefetched)) = match selector {
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
                let (range, merged) = load(&mut sheets, name)?;
                if let Some(h) = find_header_row(&range)
                    && table_score(&range, h) >= 2
                {
                    found = Some((name.clone(), (range, merged)));
                    break;
                }
            }
            found.ok_or_else(|| ImportError::NoTableSheet {
                file: file.clone(),
                available: available.clone(),
            })?
        }
    };
    let merged = match prefetched {
        Some(merged) => merged,
        None => merged_regions(&mut sheets, path, &sheet),
    };
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
    let mut grid: Vec<Vec<Cow<'_, str>>> = (0..height)
        .map(|r| {
            (0..width)
                .map(|c| range.get((r, c)).map(cell_str).unwrap_or_default())
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
    let mut rows = Rows::new();
    let mut errors = Vec::new();
    for (r, cells) in grid.iter().enumerate().skip(header_rel + 1) {
        if keep.iter().all(|&c| cells[c].trim().is_empty()) {
            continue;
        }
        let line = (row0 as usize + r + 1) as u64;
        if let Err(e) = rows.push_row(line, keep.iter().map(|&c| &cells[c])) {
            errors.push(RowError {
                file: file.into(),
                line,
                column: None,
                kind: RowErrorKind::FieldTooLong,
                reason: e.to_string(),
            });
        }
    }
    let header_row = (row0 as usize + header_rel + 1) as u64;
    if rows.is_empty() && errors.is_empty() {
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
        errors,
    })
}

/// The sheet names of a workbook.
pub fn sheet_names(path: &Path) -> Result<Vec<String>, ImportError> {
    let sheets = open_workbook(path, &path.display().to_string())?;
    Ok(sheets.sheet_names())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_ranges_are_zero_based() {
        let d = |start, end| Some(Dimensions { start, end });
        assert_eq!(cell_range("A1"), d((0, 0), (0, 0)));
        assert_eq!(cell_range("A1:C1"), d((0, 0), (0, 2)));
        assert_eq!(cell_range("b2:AA10"), d((1, 1), (9, 26)));
        for bad in ["", "1A", "A0", "A", "A1:", "Ä1", ":B2"] {
            assert_eq!(cell_range(bad), None, "{bad:?}");
        }
    }

    /// The hand-written date format gives what chrono's `%Y-%m-%d[T%H:%M:%S]` gives.
    #[test]
    fn excel_dates_format_like_chrono() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let mut serials = vec![1.0, 59.0, 61.0, 43831.0, 45000.5, 2958465.999988426];
        serials.extend((0..500).map(|i| i as f64 * 97.123_456_7));
        for serial in serials {
            let dt = ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false);
            let Some(ndt) = dt.as_datetime() else {
                continue;
            };
            let want = if ndt.time() == chrono::NaiveTime::MIN {
                ndt.date().format("%Y-%m-%d").to_string()
            } else {
                ndt.format("%Y-%m-%dT%H:%M:%S").to_string()
            };
            assert_eq!(cell_text(&Data::DateTime(dt)), want, "{serial}");
        }
    }

    /// The byte-search path must find exactly what calamine's full parse finds, on
    /// every sheet of the shared sample workbook (which has merged title cells).
    #[test]
    fn fast_xlsx_merged_regions_match_calamine() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/team_workbook.xlsx");
        let mut xlsx: Xlsx<_> = calamine::open_workbook(&path).expect("open the sample workbook");
        let mut merged_somewhere = false;
        for name in xlsx.sheet_names() {
            let mut fast = xlsx_merged_regions(&path, &name).expect("the usual layout");
            let mut slow = xlsx
                .merge_cells_by_sheet_name(&name)
                .expect("calamine reads it");
            let key = |d: &Dimensions| (d.start, d.end);
            fast.sort_by_key(key);
            slow.sort_by_key(key);
            assert_eq!(fast, slow, "sheet {name}");
            merged_somewhere |= !fast.is_empty();
        }
        assert!(merged_somewhere, "the sample has merged cells");
        assert_eq!(xlsx_merged_regions(&path, "no such sheet"), None);
    }
}
