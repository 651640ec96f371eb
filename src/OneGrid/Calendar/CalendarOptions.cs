using System.Globalization;

namespace OneGrid.Calendar;

/// <summary>
/// The working day, from the configuration section <c>Calendar</c> (appsettings, environment
/// <c>Calendar__Morning</c>, or <c>--Calendar:Morning=</c> on the command line).
/// </summary>
public sealed class CalendarOptions
{
    public const string Section = "Calendar";
    public const string DefaultTimeZone = "Asia/Shanghai";

    /// <summary>"HH:mm-HH:mm"; empty for none (e.g. a service that works one long period).</summary>
    public string? Morning { get; set; } = "08:30-12:00";

    public string? Afternoon { get; set; } = "13:30-17:30";

    /// <summary>An IANA time zone id; all working hours and listed days are read in it.</summary>
    public string TimeZone { get; set; } = DefaultTimeZone;

    /// <summary>The configured periods in order; throws with a message naming the setting when one is malformed.</summary>
    public IReadOnlyList<WorkingPeriod> Periods()
    {
        var periods = new List<WorkingPeriod>();
        foreach (var (name, text) in new[] { (nameof(Morning), Morning), (nameof(Afternoon), Afternoon) })
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            periods.Add(WorkingPeriod.Parse(text)
                ?? throw new InvalidOperationException($"{Section}:{name} '{text}' is not a period like 08:30-12:00 (start before end, within the day)."));
        }
        if (periods.Count == 0)
        {
            throw new InvalidOperationException($"{Section}: at least one of Morning and Afternoon must be set.");
        }
        if (periods.Count == 2 && periods[1].Start < periods[0].End)
        {
            throw new InvalidOperationException($"{Section}: Afternoon ({Afternoon}) must start after Morning ({Morning}) ends.");
        }
        return periods;
    }

    /// <summary>
    /// The configured zone. Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so a host
    /// without tzdata loses nothing by the fixed offset.
    /// </summary>
    public TimeZoneInfo Zone()
    {
        if (TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone)) return zone;
        if (TimeZone == DefaultTimeZone)
        {
            return TimeZoneInfo.CreateCustomTimeZone(DefaultTimeZone, TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");
        }
        throw new InvalidOperationException($"{Section}:TimeZone '{TimeZone}' is not a time zone known to this machine.");
    }
}

/// <summary>A span of working time within a day, as offsets from midnight (so 24:00 can end one).</summary>
public readonly record struct WorkingPeriod(TimeSpan Start, TimeSpan End)
{
    public TimeSpan Length => End - Start;

    public static WorkingPeriod? Parse(string text)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !TryTime(parts[0], out var start) || !TryTime(parts[1], out var end) || start >= end)
        {
            return null;
        }
        return new WorkingPeriod(start, end);
    }

    private static bool TryTime(string text, out TimeSpan time)
    {
        if (text == "24:00")
        {
            time = TimeSpan.FromHours(24);
            return true;
        }
        return TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out time) && time < TimeSpan.FromHours(24);
    }

    public override string ToString() =>
        $"{(int)Start.TotalHours:00}:{Start.Minutes:00}-{(int)End.TotalHours:00}:{End.Minutes:00}";
}
