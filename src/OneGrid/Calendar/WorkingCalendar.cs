namespace OneGrid.Calendar;

/// <summary>
/// An immutable working calendar: the working periods of a day in one time zone, weekends off, and the
/// listed days that override the weekly rule (statutory holidays off, make-up working days on).
/// Arithmetic walks whole days and then the periods of the last day, so a limit of months costs a few
/// hundred dictionary look-ups, not a minute-by-minute loop.
/// </summary>
public sealed class WorkingCalendar : IWorkingCalendar
{
    private readonly WorkingPeriod[] _periods;
    private readonly Dictionary<DateOnly, CalendarDayKind> _days;

    public WorkingCalendar(IEnumerable<CalendarDay> days, CalendarOptions? options = null, long revision = 0)
    {
        options ??= new CalendarOptions();
        _periods = options.Periods().ToArray();
        Zone = options.Zone();
        _days = days.ToDictionary(d => d.Date, d => d.Kind);
        WorkingDayLength = _periods.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Length);
        Years = _days.Keys.Select(d => d.Year).Distinct().Order().ToArray();
        Revision = revision;
    }

    public TimeZoneInfo Zone { get; }

    public IReadOnlyList<WorkingPeriod> Periods => _periods;

    /// <summary>Working time in one ordinary working day (7 h 30 min by default).</summary>
    public TimeSpan WorkingDayLength { get; }

    /// <summary>The years that have at least one listed day: outside them only weekends are off.</summary>
    public IReadOnlyList<int> Years { get; }

    /// <summary>The stored calendar revision this snapshot was built from.</summary>
    public long Revision { get; }

    public bool IsWorkingDay(DateOnly date) =>
        _days.TryGetValue(date, out var kind)
            ? kind == CalendarDayKind.Workday
            : date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    /// <summary>The instant expressed in the calendar's zone (+08:00 for Asia/Shanghai).</summary>
    public DateTimeOffset InZone(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>A wall-clock time of the calendar's zone as an instant.</summary>
    public DateTimeOffset FromLocal(DateTime local) =>
        new(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), Zone.GetUtcOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified)));

    public DateTimeOffset Add(DateTimeOffset start, TimeSpan duration, TimeLimitKind kind)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        if (kind == TimeLimitKind.NaturalHours || duration == TimeSpan.Zero) return InZone(start + duration);

        var local = InZone(start).DateTime;
        var date = DateOnly.FromDateTime(local);
        var time = local.TimeOfDay;
        var remaining = duration;
        while (true)
        {
            if (IsWorkingDay(date))
            {
                // A whole working day still to come, and more than it needed: skip it in one step.
                if (time == TimeSpan.Zero && remaining > WorkingDayLength)
                {
                    remaining -= WorkingDayLength;
                }
                else
                {
                    foreach (var period in _periods)
                    {
                        if (time >= period.End) continue;
                        var from = time > period.Start ? time : period.Start;
                        var available = period.End - from;
                        // "<=" so that a limit used up exactly at 12:00 is due at 12:00, not at 13:30.
                        if (remaining <= available) return FromLocal(date.ToDateTime(TimeOnly.MinValue) + from + remaining);
                        remaining -= available;
                    }
                }
            }
            date = date.AddDays(1);
            time = TimeSpan.Zero;
        }
    }

    public TimeSpan Elapsed(DateTimeOffset from, DateTimeOffset to, TimeLimitKind kind)
    {
        if (to <= from) return TimeSpan.Zero;
        if (kind == TimeLimitKind.NaturalHours) return to - from;

        var a = InZone(from).DateTime;
        var b = InZone(to).DateTime;
        var first = DateOnly.FromDateTime(a);
        var last = DateOnly.FromDateTime(b);
        var total = TimeSpan.Zero;
        for (var date = first; date <= last; date = date.AddDays(1))
        {
            if (!IsWorkingDay(date)) continue;
            if (date != first && date != last)
            {
                total += WorkingDayLength;
                continue;
            }
            var midnight = date.ToDateTime(TimeOnly.MinValue);
            foreach (var period in _periods)
            {
                var start = Max(midnight + period.Start, a);
                var end = Min(midnight + period.End, b);
                if (end > start) total += end - start;
            }
        }
        return total;
    }

    private static DateTime Max(DateTime x, DateTime y) => x > y ? x : y;

    private static DateTime Min(DateTime x, DateTime y) => x < y ? x : y;
}
