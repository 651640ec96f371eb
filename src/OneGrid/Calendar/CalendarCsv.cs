using System.Globalization;
using OneGrid.Kernel;
using OneGrid.Territory.Import;

namespace OneGrid.Calendar;

/// <summary>One thing wrong with a calendar file, located by line and date.</summary>
public sealed record CalendarProblem(int Line, string? Date, string MessageZh, string MessageEn)
{
    public string Message => Text.Pick(MessageZh, MessageEn);

    public override string ToString() => $"#{Line} {(Date is null ? "" : Date + ": ")}{Message}";
}

/// <summary>
/// Reads the statutory-days CSV: <c>date,kind,name_en,name_zh</c> (columns found by the header, names
/// optional), dates as yyyy-MM-dd, kind holiday or workday. Every row is checked and every problem listed.
/// </summary>
public static class CalendarCsv
{
    public static (List<CalendarDay> Days, List<CalendarProblem> Problems, List<CalendarProblem> Warnings) Parse(TextReader reader)
    {
        var problems = new List<CalendarProblem>();
        var warnings = new List<CalendarProblem>();
        var byDate = new Dictionary<DateOnly, (CalendarDay Day, int Line)>();

        var header = reader.ReadLine();
        if (header is null)
        {
            problems.Add(new CalendarProblem(1, null, "文件为空", "The file is empty"));
            return ([], problems, warnings);
        }
        var columns = DivisionsCsv.SplitLine(header.TrimStart('\uFEFF')).Select(c => c.Trim().ToLowerInvariant()).ToList();
        var (iDate, iKind, iNameZh, iNameEn) = (columns.IndexOf("date"), columns.IndexOf("kind"), columns.IndexOf("name_zh"), columns.IndexOf("name_en"));
        if (iDate < 0 || iKind < 0)
        {
            problems.Add(new CalendarProblem(1, null, "表头必须包含 date,kind（可选 name_en,name_zh）",
                "The header must have the columns date,kind (and optionally name_en,name_zh)"));
            return ([], problems, warnings);
        }

        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            var fields = DivisionsCsv.SplitLine(text);
            string Field(int i) => i >= 0 && i < fields.Count ? fields[i].Trim() : "";
            var dateText = Field(iDate);
            var kindText = Field(iKind);
            var ok = true;
            if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                problems.Add(new CalendarProblem(line, dateText, $"日期“{dateText}”无效（应为 yyyy-MM-dd）",
                    $"Invalid date '{dateText}' (expected yyyy-MM-dd)"));
                ok = false;
            }
            if (!CalendarDayKinds.TryParse(kindText, out var kind))
            {
                problems.Add(new CalendarProblem(line, dateText, $"类型“{kindText}”无效（应为 holiday 或 workday）",
                    $"Invalid kind '{kindText}' (expected holiday or workday)"));
                ok = false;
            }
            var nameZh = Field(iNameZh);
            var nameEn = Field(iNameEn);
            if (nameZh.Length > 100 || nameEn.Length > 100)
            {
                problems.Add(new CalendarProblem(line, dateText, "名称过长（最多 100 个字符）", "A name is too long (at most 100 characters)"));
                ok = false;
            }
            if (!ok) continue;

            var day = new CalendarDay
            {
                Date = date,
                Kind = kind,
                NameZh = nameZh.Length == 0 ? null : nameZh,
                NameEn = nameEn.Length == 0 ? null : nameEn,
            };
            if (byDate.TryGetValue(date, out var earlier))
            {
                if (earlier.Day.Kind != kind)
                {
                    problems.Add(new CalendarProblem(line, dateText,
                        $"同一日期类型冲突：第 {earlier.Line} 行为 {earlier.Day.Kind.ToWire()}，此行为 {kind.ToWire()}",
                        $"Conflicting kinds for one date: {earlier.Day.Kind.ToWire()} on line {earlier.Line}, {kind.ToWire()} here"));
                }
                // The same date with the same kind says nothing new; the first row stands.
                continue;
            }
            byDate.Add(date, (day, line));
            if (kind == CalendarDayKind.Workday && date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                warnings.Add(new CalendarProblem(line, dateText, "调休上班日是工作日（周一至周五），本行不起作用",
                    "A make-up working day on a weekday changes nothing"));
            }
        }
        if (byDate.Count == 0 && problems.Count == 0)
        {
            problems.Add(new CalendarProblem(line, null, "文件中没有日期", "The file lists no days"));
        }
        return (byDate.Values.OrderBy(v => v.Day.Date).Select(v => v.Day).ToList(), problems, warnings);
    }
}
