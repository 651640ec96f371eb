using Microsoft.Extensions.Options;
using OneGrid.Hosting;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Calendar;

/// <summary>
/// The calendar every module asks for as <see cref="IWorkingCalendar"/>. It holds an immutable
/// <see cref="WorkingCalendar"/> snapshot and swaps the reference when the stored revision moves, so a
/// computation never sees half an import.
/// </summary>
public sealed class WorkingCalendarProvider : IWorkingCalendar
{
    private readonly CalendarOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkingCalendarProvider> _logger;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile WorkingCalendar _current;

    public WorkingCalendarProvider(IOptions<CalendarOptions> options, TimeProvider time, ILogger<WorkingCalendarProvider> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        // Until the table is read (start-up work), the shipped days: far better than weekends only.
        using var reader = new StringReader(ReferenceData.ReadAllText(ReferenceData.StatutoryDays));
        _current = new WorkingCalendar(CalendarCsv.Parse(reader).Days, _options, revision: -1);
    }

    public WorkingCalendar Current => _current;

    public DateTimeOffset Add(DateTimeOffset start, TimeSpan duration, TimeLimitKind kind) => _current.Add(start, duration, kind);

    public TimeSpan Elapsed(DateTimeOffset from, DateTimeOffset to, TimeLimitKind kind) => _current.Elapsed(from, to, kind);

    /// <summary>Reloads from the database unless the stored revision is the one already loaded.</summary>
    public async Task<bool> RefreshAsync(OneGridDbContext db, bool force = false, CancellationToken ct = default)
    {
        await _reload.WaitAsync(ct);
        try
        {
            var revision = await CalendarStore.CurrentRevisionAsync(db, ct);
            if (!force && _current.Revision == revision) return false;
            var days = await CalendarStore.LoadAsync(db, ct);
            var calendar = new WorkingCalendar(days, _options, revision);
            _current = calendar;
            _logger.LogInformation("Working calendar loaded: {Days} listed days in {First}–{Last}, hours {Periods} {Zone}, revision {Revision}",
                days.Count, calendar.Years.FirstOrDefault(), calendar.Years.LastOrDefault(),
                string.Join(", ", calendar.Periods), calendar.Zone.Id, revision);
            var thisYear = calendar.InZone(_time.GetUtcNow()).Year;
            if (!calendar.Years.Contains(thisYear))
            {
                _logger.LogWarning("The working calendar lists no holidays for {Year}: deadlines count every weekday as working. " +
                    "Load the year with `import calendar FILE.csv` or POST /api/v1/calendar/days.", thisYear);
            }
            return true;
        }
        finally
        {
            _reload.Release();
        }
    }
}

/// <summary>Seeds the shipped statutory days and loads the calendar before the host reports ready.</summary>
internal sealed class CalendarStartupTask : IStartupTask
{
    // Early: later modules' start-up work (deadlines of demo cases) may already compute with it.
    public int Order => -100;

    public async Task RunAsync(IServiceProvider services, HostSettings settings, CancellationToken ct)
    {
        var db = services.GetRequiredService<OneGridDbContext>();
        var seeded = await CalendarStore.SeedAsync(db, services.GetRequiredService<TimeProvider>(), ct);
        if (seeded > 0)
        {
            services.GetRequiredService<ILogger<CalendarStartupTask>>().LogInformation("Seeded {Days} statutory days", seeded);
        }
        await services.GetRequiredService<WorkingCalendarProvider>().RefreshAsync(db, force: true, ct);
    }
}

/// <summary>
/// Another node (or the CLI) may import days: every so often, compare the stored revision and reload.
/// One single-row read per period, so it is cheap on every node.
/// </summary>
internal sealed class CalendarRefresher(
    IServiceScopeFactory scopes, WorkingCalendarProvider provider, StartupState startup, TimeProvider time,
    ILogger<CalendarRefresher> logger) : PeriodicWork(scopes, startup, time, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override TimeSpan Period => Interval;

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) =>
        provider.RefreshAsync(services.GetRequiredService<OneGridDbContext>(), ct: ct);
}

public static class CalendarModule
{
    public static IServiceCollection AddCalendarModule(this IServiceCollection services)
    {
        services.AddOptions<CalendarOptions>().BindConfiguration(CalendarOptions.Section);
        services.AddSingleton<WorkingCalendarProvider>();
        services.AddSingleton<IWorkingCalendar>(sp => sp.GetRequiredService<WorkingCalendarProvider>());
        services.AddSingleton<IStartupTask, CalendarStartupTask>();
        services.AddHostedService<CalendarRefresher>();
        return services;
    }
}
