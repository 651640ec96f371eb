namespace OneGrid.Calendar;

/// <summary>Whether a time limit counts working time (the calendar's working hours) or runs on the clock.</summary>
public enum TimeLimitKind
{
    WorkingHours,
    NaturalHours,
}

/// <summary>
/// Working-time arithmetic for deadlines (DESIGN §2): working hours of the day in Asia/Shanghai,
/// weekends, statutory holidays and make-up working days.
/// </summary>
public interface IWorkingCalendar
{
    /// <summary>The instant at which <paramref name="duration"/> of (working or natural) time has passed since <paramref name="start"/>.</summary>
    DateTimeOffset Add(DateTimeOffset start, TimeSpan duration, TimeLimitKind kind);

    /// <summary>How much (working or natural) time lies between two instants; zero when <paramref name="to"/> ≤ <paramref name="from"/>.</summary>
    TimeSpan Elapsed(DateTimeOffset from, DateTimeOffset to, TimeLimitKind kind);
}
