using Microsoft.Extensions.Localization;
using OneGrid.Calendar;
using OneGrid.Cases;

namespace OneGrid.Web.Cases;

/// <summary>
/// Words the inbox and the case page share (CaseTerms.resx, CaseTerms.en.resx): state, action and phase
/// names, and the countdown of a phase deadline in working or natural time.
/// </summary>
public sealed class CaseTerms
{
    public static string State(IStringLocalizer<CaseTerms> l, CaseState state) => l["State." + state];

    public static string State(IStringLocalizer<CaseTerms> l, string state) =>
        Enum.TryParse<CaseState>(state, out var s) ? State(l, s) : state;

    public static string Action(IStringLocalizer<CaseTerms> l, string action)
    {
        var text = l["Action." + action];
        return text.ResourceNotFound ? action : text.Value;
    }

    public static string Phase(IStringLocalizer<CaseTerms> l, Phase phase) => l["Phase." + phase];

    /// <summary>
    /// "剩余 2小时15分（工作时间）" before the deadline, "已超时 …" after it: the time between now and the
    /// deadline measured by the working calendar in the phase's kind of time.
    /// </summary>
    public static string Countdown(IStringLocalizer<CaseTerms> l, IWorkingCalendar calendar, DateTimeOffset now, DateTimeOffset due, TimeLimitKind kind)
    {
        var kindText = kind == TimeLimitKind.NaturalHours ? l["NaturalHours"] : l["WorkingHours"];
        var overdue = now >= due;
        var span = overdue ? calendar.Elapsed(due, now, kind) : calendar.Elapsed(now, due, kind);
        var hours = (long)span.TotalHours;
        var minutes = span.Minutes;
        return l[overdue ? "OverdueBy" : "Left", hours, minutes, kindText];
    }

    /// <summary>The 80 % warning: the deadline worker's flag, or the warning instant already passed.</summary>
    public static bool IsWarned(Case c, DateTimeOffset now) =>
        c.Phase != OneGrid.Cases.Phase.None && (c.PhaseWarned || c.PhaseWarnAt <= ClockNow(c, now));

    public static bool IsOverdue(Case c, DateTimeOffset now) =>
        c.Phase != OneGrid.Cases.Phase.None && (c.PhaseOverdue || c.PhaseDueAt <= ClockNow(c, now));

    /// <summary>Where the case's clock stands: now, or the moment it was suspended (挂账 stops it there until resumed).</summary>
    public static DateTimeOffset ClockNow(Case c, DateTimeOffset now) => c.SuspendedAt is { } since && since < now ? since : now;
}
