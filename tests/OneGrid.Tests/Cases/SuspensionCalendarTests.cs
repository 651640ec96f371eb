using OneGrid.Calendar;
using OneGrid.Cases;
using OneGrid.Kernel;
using OneGrid.Workflows;
using static OneGrid.Tests.Cases.CaseWorld;

namespace OneGrid.Tests.Cases;

/// <summary>
/// The suspension clock on the shipped statutory calendar, through the case service and the deadline scan: nine days
/// across National Day pass without the case becoming overdue, and the limit left when it stopped runs again on resume.
/// (At service level: a running host's periodic workers would each be woken for every period of a nine-day jump.)
/// </summary>
public sealed class SuspensionCalendarTests : IAsyncLifetime
{
    private static readonly WorkingCalendar Shipped = Load();
    private CaseWorld _world = null!;

    private static WorkingCalendar Load()
    {
        using var reader = new StringReader(ReferenceData.ReadAllText(ReferenceData.StatutoryDays));
        return new WorkingCalendar(CalendarCsv.Parse(reader).Days);
    }

    public async Task InitializeAsync() => _world = await CaseWorld.CreateAsync(calendar: Shipped, limitKind: TimeLimitKind.WorkingHours, start: At("2026-09-30T10:00:00"));

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private static DateTimeOffset At(string local) => DateTimeOffset.Parse(local + "+08:00", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_suspended_cases_clock_stands_still_across_National_Day_and_resumes_with_the_time_that_was_left()
    {
        // Wednesday 30 September 2026, 10:00: 1–7 October are holidays.
        var c = await _world.ReportAsync(GridWorker);
        await _world.ActAsync(c, CaseActions.Register, CommunityOperator, new CaseActionRequest());
        await _world.ActAsync(c, CaseActions.Dispatch, CommunityOperator, new CaseActionRequest(DepartmentCode: Department));
        c = await _world.ActAsync(c, CaseActions.Sign, Handler, new CaseActionRequest());
        var due = c.PhaseDueAt!.Value;
        Assert.Equal(At("2026-09-30T15:30:00"), due.ToOffset(TimeSpan.FromHours(8))); // 4 working hours, lunch 12:00–13:30

        _world.Clock.Advance(TimeSpan.FromHours(1)); // an hour of it used
        await _world.ActAsync(c, ClockActions.RequestSuspension, Handler, new CaseActionRequest(Reason: "等待道路改造工程"));
        c = await _world.ActAsync(c, ClockActions.ApproveSuspension, CommunityOperator, new CaseActionRequest());
        Assert.NotNull(c.SuspendedAt);

        // Back on Friday 9 October, long past the old due time: the scan flags nothing.
        _world.Clock.SetUtcNow(At("2026-10-09T09:00:00"));
        Assert.Equal(0, await _world.InScope(sp => DeadlineWorker.ScanAsync(sp, default)));
        c = await _world.ActAsync(c, ClockActions.Resume, Handler, new CaseActionRequest());
        Assert.False(c.PhaseOverdue);
        Assert.False(c.PhaseWarned);
        // Three working hours were left at 11:00 on 30 September: from 09:00 on 9 October, due at 12:00.
        Assert.Equal(At("2026-10-09T12:00:00"), c.PhaseDueAt!.Value.ToOffset(TimeSpan.FromHours(8)));
        Assert.True(c.EverSuspended);

        // And it runs again: overdue once the rest of the limit has passed.
        _world.Clock.SetUtcNow(At("2026-10-09T12:01:00"));
        Assert.True(await _world.InScope(sp => DeadlineWorker.ScanAsync(sp, default)) > 0);
    }
}
