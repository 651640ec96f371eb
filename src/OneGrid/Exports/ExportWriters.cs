using System.Globalization;
using System.Text;
using CsvHelper;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace OneGrid.Exports;

/// <summary>
/// Writers that take rows one at a time and write them straight to the response, so a year of a district's
/// cases never sits in memory: CSV through CsvHelper, XLSX through the Open XML SDK's forward-only writer.
/// GeoJSON is written the same way by <see cref="Territory.GeoJson.WriteAsync"/>, with the territory's geometry.
/// </summary>
public static class ExportWriters
{
    public static async Task CsvAsync(Stream output, string[] headers, IAsyncEnumerable<object?[]> rows, CancellationToken ct)
    {
        // A byte-order mark so Excel opens the Chinese text as UTF-8.
        await using var text = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 1 << 16, leaveOpen: true);
        await using var csv = CsvWriter.Create(text, new CsvWriterOptions { FormatProvider = CultureInfo.InvariantCulture }, false);
        foreach (var h in headers) csv.WriteField(h);
        await csv.EndRecordAsync(ct);
        await foreach (var row in rows.WithCancellation(ct))
        {
            foreach (var value in row) csv.WriteField(Defuse(Kernel.InputText.Printable(Format(value))));
            await csv.EndRecordAsync(ct);
        }
        await csv.FlushAsync(ct);
    }

    /// <summary>
    /// An .xlsx workbook with one sheet, written row by row (OpenXmlWriter) into a package on a seekable
    /// temporary file — the zip format needs to seek — then copied to the response.
    /// </summary>
    public static async Task XlsxAsync(Stream output, string sheetName, string[] headers, IAsyncEnumerable<object?[]> rows, CancellationToken ct)
    {
        var path = Path.GetTempFileName();
        try
        {
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                using (var document = SpreadsheetDocument.Create(file, SpreadsheetDocumentType.Workbook))
                {
                    var workbook = document.AddWorkbookPart();
                    var sheetPart = workbook.AddNewPart<WorksheetPart>();
                    using (var writer = OpenXmlWriter.Create(sheetPart))
                    {
                        writer.WriteStartElement(new Worksheet());
                        writer.WriteStartElement(new SheetData());
                        WriteRow(writer, headers);
                        await foreach (var row in rows.WithCancellation(ct)) WriteRow(writer, row);
                        writer.WriteEndElement();
                        writer.WriteEndElement();
                    }
                    using (var writer = OpenXmlWriter.Create(workbook))
                    {
                        writer.WriteStartElement(new Workbook());
                        writer.WriteStartElement(new Sheets());
                        writer.WriteElement(new Sheet { Name = sheetName, SheetId = 1, Id = workbook.GetIdOfPart(sheetPart) });
                        writer.WriteEndElement();
                        writer.WriteEndElement();
                    }
                }
                file.Position = 0;
                await file.CopyToAsync(output, ct);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void WriteRow(OpenXmlWriter writer, object?[] values)
    {
        writer.WriteStartElement(new Row());
        foreach (var value in values)
        {
            // Inline strings: no shared-string table to hold in memory for the whole sheet.
            var cell = value switch
            {
                null => new Cell(),
                int or long or double or decimal => new Cell { DataType = CellValues.Number, CellValue = new CellValue(Convert.ToString(value, CultureInfo.InvariantCulture)!) },
                bool b => new Cell { DataType = CellValues.Boolean, CellValue = new CellValue(b ? "1" : "0") },
                // Rows stored before input refused control characters: the Open XML SDK throws on them.
                _ => new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(Kernel.InputText.Printable(Format(value)) ?? "")) },
            };
            writer.WriteElement(cell);
        }
        writer.WriteEndElement();
    }

    /// <summary>
    /// Text a resident typed must not become a spreadsheet formula when the CSV is opened (CSV injection):
    /// a leading =, +, -, @ or control character gets a quote mark in front, as OWASP recommends.
    /// </summary>
    private static string? Defuse(string? text) =>
        text is { Length: > 0 } && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? "'" + text
            : text;

    private static string? Format(object? value) => value switch
    {
        null => null,
        DateTimeOffset d => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        bool b => b ? "是" : "否",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
