using Microsoft.EntityFrameworkCore;
using OneGrid.Cases;
using OneGrid.Hosting;
using OneGrid.Persistence;

namespace OneGrid.CommandCentre;

/// <summary>What changed: the grid (and, once dispatched, department) codes of the cases that changed, and when it was seen.</summary>
public sealed record CasesChanged(IReadOnlyList<string> UnitCodes, DateTimeOffset At)
{
    /// <summary>Whether a change touched a unit the given prefix reaches (a grant's unit reaches its subtree by code prefix).</summary>
    public bool Touches(string unitCode) => UnitCodes.Any(c => c.StartsWith(unitCode, StringComparison.Ordinal));
}

/// <summary>
/// Tells the live pages that cases changed, wherever the change was made: every change to a case appends
/// a timeline entry in the same transaction, so the timeline's ids are the change marker. Each node polls
/// them every <see cref="PollPeriod"/> — one indexed read of the newest ids — so a change made on another
/// node sharing the database is seen as soon as one made here.
/// <para>
/// Ids are handed out when a row is inserted, not when its transaction commits: on PostgreSQL a slower
/// transaction can commit a lower id after a higher one was seen. The feed therefore re-reads a window of
/// recent ids below the highest it saw and reports any it had not seen yet.
/// </para>
/// <para>
/// The same read keeps this node's <see cref="OpenCaseIndex"/> (intake's duplicate search) current with
/// changes made on other nodes; the first poll loads it, after setting the mark, so nothing committed in
/// between is missed (a case read twice is simply applied twice).
/// </para>
/// </summary>
public sealed class LiveCaseFeed : PeriodicWork
{
    private readonly TimeProvider _time;
    private readonly ILogger<LiveCaseFeed> _logger;

    private readonly OpenCaseIndex _openCases;

    public LiveCaseFeed(IServiceScopeFactory scopes, StartupState startup, OpenCaseIndex openCases, TimeProvider time, ILogger<LiveCaseFeed> logger)
        : base(scopes, startup, time, logger)
    {
        _openCases = openCases;
        _time = time;
        _logger = logger;
    }

    public static readonly TimeSpan PollPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>How many ids below the highest seen are read again, for transactions that commit out of order.</summary>
    public const int LookBack = 500;

    private long _high = -1;
    private readonly HashSet<long> _seen = [];

    /// <summary>Raised on the feed's own thread; handlers must not block (pages hop to their own context).</summary>
    public event Action<CasesChanged>? Changed;

    protected override TimeSpan Period => PollPeriod;

    protected override bool RunAtStart => true;

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => PollAsync(services.GetRequiredService<OneGridDbContext>(), ct);

    /// <summary>One poll: reports the cases whose timeline grew since the last poll (none on the first, which only sets the mark).</summary>
    public async Task<CasesChanged?> PollAsync(OneGridDbContext db, CancellationToken ct)
    {
        if (_high < 0)
        {
            var start = await ReadIdsAsync(db, -1, latestOnly: true, ct);
            _high = start.Count == 0 ? 0 : start.Max(e => e.Id);
            _seen.UnionWith((await ReadIdsAsync(db, _high - LookBack, latestOnly: false, ct)).Select(e => e.Id));
            await _openCases.LoadAsync(db, ct);
            return null;
        }
        // A first load that failed (the database was away) is tried again; changes since the mark still follow.
        if (!_openCases.IsLoaded) await _openCases.LoadAsync(db, ct);
        var floor = Math.Max(0, _high - LookBack);
        var recent = await ReadIdsAsync(db, floor, latestOnly: false, ct);
        var fresh = recent.Where(e => e.Id > _high || !_seen.Contains(e.Id)).ToList();
        foreach (var e in recent) _seen.Add(e.Id);
        if (recent.Count > 0) _high = Math.Max(_high, recent[^1].Id);
        _seen.RemoveWhere(id => id <= _high - LookBack);
        if (fresh.Count == 0) return null;

        var ids = fresh.Select(e => e.CaseId).Distinct().ToList();
        var codes = await db.Cases.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.GridCode, c.DepartmentCode, Row = new OpenCaseRow(c.Id, c.Version, c.Number, c.CategoryCode, c.Lon, c.Lat, c.State, c.ReportedAt) })
            .ToListAsync(ct);
        _openCases.Apply(codes.Select(c => c.Row));
        var change = new CasesChanged(codes.Select(c => c.GridCode).Concat(codes.Select(c => c.DepartmentCode).OfType<string>())
            .Distinct().Order(StringComparer.Ordinal).ToList(), _time.GetUtcNow());
        foreach (var handler in Changed?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action<CasesChanged>)handler)(change);
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "A live feed subscriber failed");
            }
        }
        return change;
    }

    private string? _sqlAfter, _sqlLatest;

    /// <summary>
    /// The timeline ids above <paramref name="floor"/> (oldest first), or only the newest. Plain ADO.NET on the
    /// context's connection: this runs twice a second on every node, and EF would log each run at Information.
    /// </summary>
    private async Task<List<(long Id, long CaseId)>> ReadIdsAsync(OneGridDbContext db, long floor, bool latestOnly, CancellationToken ct)
    {
        if (_sqlAfter is null || _sqlLatest is null)
        {
            var store = StoreNames.Of<CaseEvent>(db);
            var id = store.Column(nameof(CaseEvent.Id));
            var caseId = store.Column(nameof(CaseEvent.CaseId));
            _sqlAfter = $"SELECT {id}, {caseId} FROM {store.Table} WHERE {id} > @floor ORDER BY {id} LIMIT 10000";
            _sqlLatest = $"SELECT {id}, {caseId} FROM {store.Table} ORDER BY {id} DESC LIMIT 1";
        }
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = latestOnly ? _sqlLatest : _sqlAfter;
            if (!latestOnly)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@floor";
                parameter.Value = floor;
                command.Parameters.Add(parameter);
            }
            var rows = new List<(long, long)>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add((reader.GetInt64(0), reader.GetInt64(1)));
            return rows;
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }
}
