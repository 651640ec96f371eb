using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Calendar;

public sealed record WorkingTimeResponse(DateTimeOffset Deadline, DateTimeOffset From, string Add, string Kind);

public sealed record CalendarDayResponse(DateOnly Date, string Kind, string? NameZh, string? NameEn);

public sealed record CalendarDaysResponse(int Year, IReadOnlyList<CalendarDayResponse> Days);

public sealed record CalendarProblemResponse(int Line, string? Date, string Message);

public sealed record CalendarImportResponse(
    int Days, int Holidays, int Workdays, IReadOnlyList<int> Years, bool DryRun, bool Written,
    int Created, int Updated, long? Revision, IReadOnlyList<CalendarProblemResponse> Warnings);

public static partial class CalendarEndpoints
{
    /// <summary>A whole decade of statutory days is about 15 KB; anything near this is not a calendar.</summary>
    public const int MaxImportBytes = 1 << 20;

    /// <summary>Longer limits than a year are not deadlines, and this bound keeps every instant far from overflow.</summary>
    public static readonly TimeSpan MaxAdd = TimeSpan.FromDays(366);

    /// <summary>The reads anyone may make: check a deadline, list a year's holidays.</summary>
    public static IEndpointRouteBuilder MapCalendarEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/calendar").WithTags("Calendar");
        api.MapGet("/working-time", WorkingTime)
            .WithName("CalendarWorkingTime")
            .WithSummary("The deadline after adding working (or natural) time to an instant, e.g. ?from=2026-09-30T16:00:00%2B08:00&add=PT4H.");
        api.MapGet("/days", ListDays)
            .WithName("CalendarDays")
            .WithSummary("The statutory holidays and make-up working days (调休) of a year.");
        return app;
    }

    /// <summary>
    /// The writes: loading a year of days. Returned as its own group so the access module can require
    /// the administrator role on it: <c>app.MapCalendarAdminEndpoints().RequireAuthorization(...)</c>.
    /// </summary>
    public static RouteGroupBuilder MapCalendarAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/calendar").WithTags("Calendar");
        admin.MapPost("/days", ImportDays)
            .WithName("CalendarImportDays")
            .WithSummary("Load days from a CSV body (text/csv: date,kind,name_en,name_zh); ?dryRun=true checks without writing.")
            .Accepts<string>("text/csv");
        return admin;
    }

    internal static Results<Ok<WorkingTimeResponse>, ProblemHttpResult> WorkingTime(string? from, string? add, string? kind,
        WorkingCalendarProvider provider, TimeProvider time)
    {
        var calendar = provider.Current;

        var limitKind = TimeLimitKind.WorkingHours;
        if (kind is not null)
        {
            switch (kind.Trim().ToLowerInvariant())
            {
                case "working": limitKind = TimeLimitKind.WorkingHours; break;
                case "natural": limitKind = TimeLimitKind.NaturalHours; break;
                default:
                    return Problems.InvalidField("kind", $"kind“{kind}”无效，应为 working（工作时间）或 natural（自然时间）",
                        $"Invalid kind '{kind}': use working or natural");
            }
        }

        DateTimeOffset start;
        if (string.IsNullOrWhiteSpace(from))
        {
            var now = time.GetUtcNow();
            start = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        }
        else if (!TryParseInstant(from, calendar, out start))
        {
            return Problems.InvalidField("from", $"起始时间“{from}”无效，应为 ISO 8601，如 2026-09-30T16:00:00+08:00（无时区按 {calendar.Zone.Id} 当地时间）",
                $"Invalid from '{from}': use ISO 8601, e.g. 2026-09-30T16:00:00+08:00 (without an offset it is {calendar.Zone.Id} local time)");
        }
        else if (start.Year is < 1900 or > 2199)
        {
            return Problems.InvalidField("from", "起始时间必须在 1900 年至 2199 年之间", "'from' must be within the years 1900–2199");
        }

        if (string.IsNullOrWhiteSpace(add))
        {
            return Problems.InvalidField("add", "缺少时长参数 add（ISO 8601，如 PT4H）", "The query parameter 'add' is required (ISO 8601, e.g. PT4H)");
        }
        if (ParseDuration(add, limitKind, calendar) is { } badAdd) return badAdd;
        var duration = XmlConvert.ToTimeSpan(add.Trim());

        var deadline = calendar.Add(start, duration, limitKind);
        return TypedResults.Ok(new WorkingTimeResponse(deadline, calendar.InZone(start), XmlConvert.ToString(duration),
            limitKind == TimeLimitKind.WorkingHours ? "working" : "natural"));
    }

    private static ProblemHttpResult? ParseDuration(string text, TimeLimitKind kind, WorkingCalendar calendar)
    {
        text = text.Trim();
        TimeSpan duration;
        try
        {
            duration = XmlConvert.ToTimeSpan(text);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return Problems.InvalidField("add", $"时长“{text}”无效，应为 ISO 8601 时长，如 PT4H、PT1H30M",
                $"Invalid duration '{text}': use an ISO 8601 duration such as PT4H or PT1H30M");
        }
        var datePart = text.Split('T')[0];
        if (datePart.Contains('Y') || datePart.Contains('M'))
        {
            return Problems.InvalidField("add", "时长不能以年或月表示（长度不固定），请用天或小时",
                "A duration cannot be in years or months (their length varies): use days or hours");
        }
        // A "day" of working time is ambiguous (24 working hours, or one working day?): refuse rather than guess.
        if (kind == TimeLimitKind.WorkingHours && datePart.Contains('D'))
        {
            var day = XmlConvert.ToString(calendar.WorkingDayLength);
            return Problems.InvalidField("add", $"工作时间请以小时表示，一个工作日为 {day}",
                $"Give working time in hours: one working day is {day}");
        }
        if (duration < TimeSpan.Zero)
        {
            return Problems.InvalidField("add", "时长不能为负", "The duration cannot be negative");
        }
        if (duration > MaxAdd)
        {
            return Problems.InvalidField("add", $"时长不能超过 {XmlConvert.ToString(MaxAdd)}", $"The duration cannot exceed {XmlConvert.ToString(MaxAdd)}");
        }
        return null;
    }

    /// <summary>
    /// An ISO 8601 date and time. With Z or ±hh:mm it is that instant; without, it is wall-clock time of the
    /// calendar's zone. A '+' left unencoded in a query string arrives as a space, so a space before the
    /// offset is read as '+'.
    /// </summary>
    public static bool TryParseInstant(string text, WorkingCalendar calendar, out DateTimeOffset instant)
    {
        text = SpaceForPlus().Replace(text.Trim(), "$1+$2");
        if (OffsetSuffix().IsMatch(text))
        {
            return DateTimeOffset.TryParseExact(text, OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
        }
        if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            instant = calendar.FromLocal(local);
            return true;
        }
        instant = default;
        return false;
    }

    private static readonly string[] LocalFormats =
        ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd"];

    private static readonly string[] OffsetFormats = LocalFormats[..3].Select(f => f + "K").ToArray();

    [GeneratedRegex(@"(Z|[+-]\d{2}:\d{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex OffsetSuffix();

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}:\d{2})$")]
    private static partial Regex SpaceForPlus();

    internal static async Task<Results<Ok<CalendarDaysResponse>, ProblemHttpResult>> ListDays(string? year,
        OneGridDbContext db, WorkingCalendarProvider provider, TimeProvider time, CancellationToken ct)
    {
        int y;
        if (string.IsNullOrWhiteSpace(year))
        {
            y = provider.Current.InZone(time.GetUtcNow()).Year;
        }
        else if (!int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out y) || y is < 1900 or > 2199)
        {
            return Problems.InvalidField("year", $"年份“{year}”无效（1900–2199）", $"Invalid year '{year}' (1900–2199)");
        }
        var (first, last) = (new DateOnly(y, 1, 1), new DateOnly(y, 12, 31));
        var days = await db.Set<CalendarDay>().AsNoTracking()
            .Where(d => d.Date >= first && d.Date <= last)
            .OrderBy(d => d.Date)
            .ToListAsync(ct);
        return TypedResults.Ok(new CalendarDaysResponse(y,
            days.Select(d => new CalendarDayResponse(d.Date, d.Kind.ToWire(), d.NameZh, d.NameEn)).ToList()));
    }

    internal static async Task<Results<Ok<CalendarImportResponse>, ProblemHttpResult>> ImportDays(HttpRequest request, string? dryRun,
        OneGridDbContext db, WorkingCalendarProvider provider, TimeProvider time, CancellationToken ct)
    {
        var dry = false;
        if (dryRun is not null && !bool.TryParse(dryRun, out dry))
        {
            return Problems.InvalidField("dryRun", "dryRun 应为 true 或 false", "'dryRun' must be true or false");
        }
        var mediaType = request.ContentType is { } ct0 && System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(ct0, out var parsed)
            ? parsed.MediaType : null;
        if (!string.Equals(mediaType, "text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "请求体应为 CSV", "The body must be CSV",
                Text.Pick("请以 Content-Type: text/csv 发送 date,kind,name_en,name_zh 格式的文件。",
                    "Send the date,kind,name_en,name_zh file with Content-Type: text/csv."));
        }
        var body = await ReadCappedAsync(request, ct);
        if (body is null)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "too-large", "文件过大", "The file is too large",
                Text.Pick($"日历文件不能超过 {MaxImportBytes / 1024} KB。", $"A calendar file cannot exceed {MaxImportBytes / 1024} KB."));
        }

        var o = await ImportCsvAsync(body, dry, db, provider, time, ct);
        if (o.Problem is { } problem) return problem;
        AuditTrail.Note(request.HttpContext, o.Note);
        return TypedResults.Ok(o.Value);
    }

    /// <summary>
    /// Checks a calendar CSV and, unless it has problems or this is a dry run, loads its days (one transaction) and
    /// reloads this node's calendar: the work behind POST /api/v1/calendar/days and the /admin/calendar page.
    /// </summary>
    public static async Task<Outcome<CalendarImportResponse>> ImportCsvAsync(string csv, bool dry, OneGridDbContext db,
        WorkingCalendarProvider provider, TimeProvider time, CancellationToken ct)
    {
        var report = await CalendarStore.ImportAsync(db, new StringReader(csv), dry, time, ct);
        if (!report.IsClean)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "calendar-import-invalid",
                "日历文件有错误，未写入任何数据", "The calendar file has problems; nothing was written",
                Text.Pick($"共 {report.Problems.Count} 个问题。", $"{report.Problems.Count} problem(s)."),
                new Dictionary<string, object?>
                {
                    ["problems"] = report.Problems.Select(ToResponse).ToList(),
                    ["warnings"] = report.Warnings.Select(ToResponse).ToList(),
                });
        }
        if (report.Written)
        {
            // This node serves the new days at once; the others within CalendarRefresher.Interval.
            await provider.RefreshAsync(db, ct: ct);
        }
        var response = new CalendarImportResponse(report.Days, report.Holidays, report.Workdays, report.Years, report.DryRun,
            report.Written, report.Created, report.Updated, report.Revision, report.Warnings.Select(ToResponse).ToList());
        return Outcome<CalendarImportResponse>.Done(response, report.Written
            ? new AuditNote("calendar/days", $"load {report.Days} day(s) of {string.Join(", ", report.Years)}: {report.Created} created, {report.Updated} updated")
            : null);
    }

    private static CalendarProblemResponse ToResponse(CalendarProblem p) => new(p.Line, p.Date, p.Message);

    /// <summary>The body as text, or null when it is longer than <see cref="MaxImportBytes"/>.</summary>
    private static async Task<string?> ReadCappedAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxImportBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxImportBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return new UTF8Encoding(false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
