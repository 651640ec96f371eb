using OneGrid.Calendar;
using OneGrid.Kernel;

namespace OneGrid.Tests.Calendar;

/// <summary>
/// Deadline arithmetic on the shipped calendar (default hours 08:30–12:00 and 13:30–17:30, Asia/Shanghai).
/// Each expected instant is worked out by hand in the comment beside it.
/// </summary>
public sealed class WorkingCalendarTests
{
    private static readonly WorkingCalendar Shipped = Load();

    private static WorkingCalendar Load()
    {
        using var reader = new StringReader(ReferenceData.ReadAllText(ReferenceData.StatutoryDays));
        var (days, problems, _) = CalendarCsv.Parse(reader);
        Assert.Empty(problems);
        return new WorkingCalendar(days);
    }

    private static DateTimeOffset At(string local) => DateTimeOffset.Parse(local + "+08:00");

    private static void AssertDeadline(string from, TimeSpan add, string expected, WorkingCalendar? calendar = null)
    {
        var deadline = (calendar ?? Shipped).Add(At(from), add, TimeLimitKind.WorkingHours);
        Assert.Equal(At(expected), deadline);
        Assert.Equal(TimeSpan.FromHours(8), deadline.Offset);
    }

    private static TimeSpan H(double hours) => TimeSpan.FromHours(hours);

    [Fact]
    public void Within_a_day_the_lunch_break_does_not_count()
    {
        // Mon 2026-03-02: 11:00–12:00 is 1 h, the other hour runs 13:30–14:30.
        AssertDeadline("2026-03-02T11:00", H(2), "2026-03-02T14:30");
        // 08:30–12:00 is 3.5 h, then 13:30–17:30 is 4 h: a whole working day ends at 17:30.
        AssertDeadline("2026-03-02T08:30", H(7.5), "2026-03-02T17:30");
    }

    [Fact]
    public void A_limit_used_up_at_the_end_of_a_period_is_due_then_not_at_the_next_start()
    {
        AssertDeadline("2026-03-02T11:00", H(1), "2026-03-02T12:00");   // not 13:30
        AssertDeadline("2026-03-02T16:30", H(1), "2026-03-02T17:30");   // not Tue 08:30
    }

    [Fact]
    public void A_start_outside_working_hours_begins_at_the_next_working_period()
    {
        AssertDeadline("2026-03-02T12:30", H(1), "2026-03-02T14:30");   // lunch: from 13:30
        AssertDeadline("2026-03-02T07:00", H(1), "2026-03-02T09:30");   // early: from 08:30
        AssertDeadline("2026-03-02T18:00", H(1), "2026-03-03T09:30");   // evening: Tue from 08:30
        AssertDeadline("2026-03-07T10:00", H(1), "2026-03-09T09:30");   // Sat: Mon from 08:30
    }

    [Fact]
    public void Friday_afternoon_runs_on_into_Monday()
    {
        // Fri 2026-03-06 16:30–17:30 is 1 h; the weekend is off; Mon 03-09 08:30 + 1 h = 09:30.
        AssertDeadline("2026-03-06T16:30", H(2), "2026-03-09T09:30");
    }

    [Fact]
    public void National_Day_2026_is_skipped()
    {
        // Wed 09-30 16:00–17:30 is 1.5 h; Thu 10-01 … Wed 10-07 are holidays; Thu 10-08 08:30 + 2.5 h = 11:00.
        AssertDeadline("2026-09-30T16:00", H(4), "2026-10-08T11:00");
        Assert.Equal(H(4), Shipped.Elapsed(At("2026-09-30T16:00"), At("2026-10-08T11:00"), TimeLimitKind.WorkingHours));
        // The whole holiday week holds no working time at all.
        Assert.Equal(TimeSpan.Zero, Shipped.Elapsed(At("2026-09-30T17:30"), At("2026-10-08T08:30"), TimeLimitKind.WorkingHours));
    }

    [Fact]
    public void Make_up_working_days_on_a_weekend_count()
    {
        // Fri 10-09 17:00–17:30 is 0.5 h; Sat 10-10 is a make-up working day: 08:30 + 1.5 h = 10:00.
        AssertDeadline("2026-10-09T17:00", H(2), "2026-10-10T10:00");
        // Fri 09-18 17:00–17:30 is 0.5 h; Sat 09-19 is off; Sun 09-20 is a make-up day: 08:30 + 1.5 h = 10:00.
        AssertDeadline("2026-09-18T17:00", H(2), "2026-09-20T10:00");
    }

    [Fact]
    public void Mid_autumn_holiday_on_a_Friday_joins_the_weekend()
    {
        // Thu 09-24 17:00–17:30 is 0.5 h; Fri 09-25 … Sun 09-27 are off; Mon 09-28 08:30 + 0.5 h = 09:00.
        AssertDeadline("2026-09-24T17:00", H(1), "2026-09-28T09:00");
    }

    [Fact]
    public void Spring_Festival_2026()
    {
        // Fri 02-13 16:00–17:30 is 1.5 h; Sat 02-14 is a make-up working day: 08:30 + 2.5 h = 11:00.
        AssertDeadline("2026-02-13T16:00", H(4), "2026-02-14T11:00");
        // Sat 02-14 17:00–17:30 is 0.5 h; Sun 02-15 … Mon 02-23 are the festival; Tue 02-24 08:30 + 0.5 h = 09:00.
        AssertDeadline("2026-02-14T17:00", H(1), "2026-02-24T09:00");
        // From Fri's close to Tue's opening only the make-up Saturday works: one whole day of 7.5 h.
        Assert.Equal(H(7.5), Shipped.Elapsed(At("2026-02-13T17:30"), At("2026-02-24T08:30"), TimeLimitKind.WorkingHours));
    }

    [Fact]
    public void Thirty_working_days_end_on_the_thirtieth_working_day()
    {
        // Working days from Mon 01-05: five full weeks to Fri 02-06 (25 days) and 02-09 … 02-13 (30) — no holiday
        // between 01-04 and 02-14 — so 30 × 7.5 h from 08:30 on 01-05 ends at 17:30 on Fri 02-13.
        var thirtyDays = H(30 * 7.5);
        AssertDeadline("2026-01-05T08:30", thirtyDays, "2026-02-13T17:30");
        // One minute more spills into the next working day, the make-up Saturday 02-14.
        AssertDeadline("2026-01-05T08:30", thirtyDays + TimeSpan.FromMinutes(1), "2026-02-14T08:31");
    }

    [Fact]
    public void The_start_may_come_in_any_offset_and_the_deadline_is_in_Shanghai_time()
    {
        // 08:00Z is 16:00 in Shanghai: the National Day example again.
        var deadline = Shipped.Add(DateTimeOffset.Parse("2026-09-30T08:00:00Z"), H(4), TimeLimitKind.WorkingHours);
        Assert.Equal("2026-10-08T11:00:00.0000000+08:00", deadline.ToString("O"));
    }

    [Fact]
    public void Natural_hours_ignore_the_calendar()
    {
        // Across the first day of National Day: 24 h of clock time is 24 h.
        var deadline = Shipped.Add(At("2026-09-30T16:00"), H(24), TimeLimitKind.NaturalHours);
        Assert.Equal(At("2026-10-01T16:00"), deadline);
        Assert.Equal(TimeSpan.FromHours(8), deadline.Offset);
        Assert.Equal(H(7 * 24), Shipped.Elapsed(At("2026-10-01T00:00"), At("2026-10-08T00:00"), TimeLimitKind.NaturalHours));
    }

    [Fact]
    public void Elapsed_is_zero_backwards_and_for_zero_width()
    {
        Assert.Equal(TimeSpan.Zero, Shipped.Elapsed(At("2026-03-02T10:00"), At("2026-03-02T09:00"), TimeLimitKind.WorkingHours));
        Assert.Equal(TimeSpan.Zero, Shipped.Elapsed(At("2026-03-02T10:00"), At("2026-03-02T09:00"), TimeLimitKind.NaturalHours));
        Assert.Equal(TimeSpan.Zero, Shipped.Elapsed(At("2026-03-02T12:10"), At("2026-03-02T13:20"), TimeLimitKind.WorkingHours));
        Assert.Equal(At("2026-03-02T10:00"), Shipped.Add(At("2026-03-02T10:00"), TimeSpan.Zero, TimeLimitKind.WorkingHours));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shipped.Add(At("2026-03-02T10:00"), H(-1), TimeLimitKind.WorkingHours));
    }

    [Fact]
    public void Elapsed_is_the_inverse_of_Add_over_random_starts_and_limits()
    {
        var random = new Random(20261001);
        var first = At("2025-01-01T00:00");
        var span = (At("2026-12-31T00:00") - first).Ticks;
        for (var i = 0; i < 3000; i++)
        {
            // Any second of 2025–2026, including nights, weekends and holidays.
            var start = first + TimeSpan.FromSeconds(random.NextInt64(span / TimeSpan.TicksPerSecond));
            // Up to 40 working days, to the second, so limits end anywhere inside a period.
            var limit = TimeSpan.FromSeconds(random.Next(1, 40 * 27_000));
            var deadline = Shipped.Add(start, limit, TimeLimitKind.WorkingHours);

            Assert.Equal(limit, Shipped.Elapsed(start, deadline, TimeLimitKind.WorkingHours));
            // The earliest such instant: a moment sooner, the limit is not yet used up.
            Assert.True(Shipped.Elapsed(start, deadline.AddSeconds(-1), TimeLimitKind.WorkingHours) < limit);
            // And a deadline always falls on a working day inside (or at the end of) a working period.
            var local = deadline.DateTime;
            Assert.True(Shipped.IsWorkingDay(DateOnly.FromDateTime(local)), $"{deadline:O} is not a working day");
            Assert.Contains(Shipped.Periods, p => local.TimeOfDay > p.Start && local.TimeOfDay <= p.End);

            // The other way round: adding what elapsed up to any later instant never overshoots it.
            var later = start + TimeSpan.FromMinutes(random.Next(0, 60 * 24 * 60));
            var elapsed = Shipped.Elapsed(start, later, TimeLimitKind.WorkingHours);
            var reached = Shipped.Add(start, elapsed, TimeLimitKind.WorkingHours);
            Assert.True(reached <= later);
            Assert.Equal(TimeSpan.Zero, Shipped.Elapsed(reached, later, TimeLimitKind.WorkingHours));
        }
    }

    [Fact]
    public void Outside_the_listed_years_only_weekends_are_off()
    {
        // No 2027 in the shipped file: Fri 2027-01-01 counts as an ordinary working day until a year is loaded.
        AssertDeadline("2026-12-31T17:00", H(1), "2027-01-01T09:00");
        Assert.DoesNotContain(2027, Shipped.Years);
        Assert.Equal(2004, Shipped.Years[0]);
        Assert.Equal(2026, Shipped.Years[^1]);
    }

    [Fact]
    public void Working_hours_come_from_the_options()
    {
        var calendar = new WorkingCalendar([], new CalendarOptions { Morning = "09:00-12:00", Afternoon = "14:00-18:00" });
        Assert.Equal(H(7), calendar.WorkingDayLength);
        // Mon 2026-03-02 11:00–12:00 is 1 h, then 14:00 + 1 h = 15:00.
        AssertDeadline("2026-03-02T11:00", H(2), "2026-03-02T15:00", calendar);

        var oneShift = new WorkingCalendar([], new CalendarOptions { Morning = "", Afternoon = "00:00-24:00" });
        // A round-the-clock weekday service: Fri 20:00 + 6 h runs to midnight (4 h), skips the weekend, Mon 02:00.
        AssertDeadline("2026-03-06T20:00", H(6), "2026-03-09T02:00", oneShift);
    }

    [Theory]
    [InlineData("12:00-08:30", "13:30-17:30")]
    [InlineData("8h-12h", "13:30-17:30")]
    [InlineData("08:30-12:00", "11:00-17:30")]
    [InlineData("", "")]
    [InlineData("08:30-25:00", null)]
    public void Malformed_working_hours_are_refused(string? morning, string? afternoon) =>
        Assert.Throws<InvalidOperationException>(() => new CalendarOptions { Morning = morning, Afternoon = afternoon }.Periods());

    [Fact]
    public void An_unknown_time_zone_is_refused_and_Shanghai_is_UTC_plus_8()
    {
        Assert.Throws<InvalidOperationException>(() => new CalendarOptions { TimeZone = "Mars/Olympus_Mons" }.Zone());
        var zone = new CalendarOptions().Zone();
        Assert.Equal(TimeSpan.FromHours(8), zone.GetUtcOffset(At("2026-07-01T12:00")));
        Assert.Equal(TimeSpan.FromHours(8), zone.GetUtcOffset(At("2026-01-01T12:00")));
    }
}
