using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OneGrid.Calendar;

namespace OneGrid.Tests.Calendar;

public sealed class WorkingTimeEndpointTests
{
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }

    [Fact]
    public void Without_from_the_deadline_counts_from_now_to_the_second()
    {
        // "Now" is Wed 2026-09-30 16:00:00.75 in Shanghai: the National Day example, the fraction dropped.
        var time = new FixedTime(DateTimeOffset.Parse("2026-09-30T16:00:00.75+08:00"));
        var provider = new WorkingCalendarProvider(Options.Create(new CalendarOptions()), time, NullLogger<WorkingCalendarProvider>.Instance);

        var result = CalendarEndpoints.WorkingTime(null, "PT4H", null, provider, time);

        var body = Assert.IsType<Ok<WorkingTimeResponse>>(result.Result).Value!;
        Assert.Equal(DateTimeOffset.Parse("2026-09-30T16:00:00+08:00"), body.From);
        Assert.Equal(DateTimeOffset.Parse("2026-10-08T11:00:00+08:00"), body.Deadline);
    }
}
