using System.Data.Common;
using System.Diagnostics;
using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Cases;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;
using Xunit.Abstractions;

namespace OneGrid.Tests.Cases;

/// <summary>
/// A database holding <see cref="Count"/> synthetic cases over 20 districts of 5 streets of 5 communities of 4 grids,
/// written once per test class: states, flags and departments in rough real proportions, with deliberate ties in every
/// sort key (seven cases of a district share each report minute, deadlines and updates fall on whole hours).
/// </summary>
public abstract class CaseVolume : IAsyncLifetime
{
    public const int Count = 40_000;
    public const string District = "339900";
    public const string Street = "339900001";
    public const string Community = "339900001001";
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "onegrid-volume-" + Guid.NewGuid().ToString("N"));
    public DatabaseSettings Settings { get; private set; } = null!;

    protected abstract Task<DatabaseSettings> CreateDatabaseAsync();

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    public OneGridDbContext NewContext() => PersistenceServices.CreateContext(Settings);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        Settings = await CreateDatabaseAsync();
        await using var db = NewContext();
        await PersistenceServices.MigrateAsync(db);
        var random = new Random(15);
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            var batch = new List<Case>(1000);
            for (var i = 0; i < Count; i++)
            {
                batch.Add(Synthetic(i, random));
                if (batch.Count == 1000)
                {
                    await RowInserter.InsertAsync(db, batch, default);
                    batch.Clear();
                }
            }
            await RowInserter.InsertAsync(db, batch, default);
            await tx.CommitAsync();
        }
        // Statistics, as a running host has them: on SQLite from the host's own PRAGMA optimize (SqliteStatistics),
        // on PostgreSQL from what autovacuum runs.
        await db.Database.ExecuteSqlRawAsync(db.Database.IsSqlite() ? SqliteStatistics.Optimize : "VACUUM ANALYZE cases");
    }

    private static Case Synthetic(int i, Random random)
    {
        var district = "3399" + (i % 20).ToString("D2");
        var street = district + random.Next(1, 6).ToString("D3");
        var community = street + random.Next(1, 6).ToString("D3");
        var grid = community + random.Next(1, 5).ToString("D3");
        var reported = Start.AddMinutes(i / 140);
        var r = random.NextDouble();
        var state = r < 0.03 ? CaseState.Rejected : r < 0.05 ? CaseState.Reported : r < 0.06 ? CaseState.Registered : r < 0.07 ? CaseState.Dispatched
            : r < 0.08 ? CaseState.InProgress : r < 0.09 ? CaseState.Handled : CaseState.Closed;
        var open = state is not (CaseState.Closed or CaseState.Rejected);
        var level = random.NextDouble() switch { < 0.8 => OwningLevel.Community, < 0.95 => OwningLevel.Street, _ => OwningLevel.District };
        var dispatched = state is CaseState.Dispatched or CaseState.InProgress or CaseState.Handled or CaseState.Closed;
        // A few matters the community handles itself: the department is the case's own community (dispatch allows no other).
        var department = !dispatched ? null : random.NextDouble() < 0.03 ? community : "D" + random.Next(0, 3);
        return new Case
        {
            Number = $"T-{i:D7}", Description = "synthetic", State = state,
            GridCode = grid, CommunityCode = community, StreetCode = street, DistrictCode = district,
            OwningLevel = level, OwningUnitCode = level switch { OwningLevel.Community => community, OwningLevel.Street => street, _ => district },
            CategoryCode = "01" + random.Next(1, 12).ToString("D2"), PlatformCode = "zhzf", DepartmentCode = department,
            ReporterKind = ReporterKind.Resident, ReporterId = random.NextDouble() < 0.003 ? "me" : null,
            ReportedAt = reported, UpdatedAt = reported.AddHours(random.Next(0, 6)),
            Phase = open ? Phase.Handle : Phase.None, PhaseDueAt = open ? reported.Date.AddHours(random.Next(0, 72)) : null,
            PhaseLimitKind = TimeLimitKind.WorkingHours, HandlingLimitKind = TimeLimitKind.WorkingHours,
            PhaseOverdue = open && random.NextDouble() < 0.3, Supervised = random.NextDouble() < 0.02,
            EverSuspended = random.NextDouble() < 0.01, ExtendedHours = random.NextDouble() < 0.02 ? 8 : 0,
            ExtensionRequestedHours = open && random.NextDouble() < 0.1 ? 4 : null, SuspensionRequested = open && random.NextDouble() < 0.05,
        };
    }

    public async Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await DropDatabaseAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

public sealed class SqliteCaseVolume : CaseVolume
{
    protected override Task<DatabaseSettings> CreateDatabaseAsync() => Task.FromResult(DatabaseSettings.Parse(null, DataDirectory));
}

public sealed class PostgresCaseVolume : CaseVolume
{
    private ThrowawayDatabase? _database;

    protected override async Task<DatabaseSettings> CreateDatabaseAsync()
    {
        _database = await ThrowawayDatabase.CreateAsync();
        return _database.Settings(DataDirectory);
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }
}

/// <summary>
/// The case list's keyset pages, bounded totals and query plans, over <see cref="CaseVolume"/> on each database.
/// </summary>
public abstract class CaseListingTests(CaseVolume volume, ITestOutputHelper output)
{
    /// <summary>A street dispatcher who also handles one department in another district, and has reported a few cases anywhere.</summary>
    private static readonly Actor Mixed = new("me", "me", "me", [
        new Grant(Role.StreetDispatcher, CaseVolume.Street),
        new Grant(Role.DepartmentHandler, "339901", DepartmentCode: "D1"),
    ]);

    private static Task<CaseListPage> PageAsync(OneGridDbContext db, Actor actor, string sort, string? cursor, int pageSize = 37,
        CaseFilter? filter = null, int? page = null) =>
        CaseListing.PageAsync(db.Cases.AsNoTracking(), CaseQueries.VisibleBranches(actor), filter ?? new CaseFilter(), sort, page, pageSize, cursor, default);

    /// <summary>The order each sort promises, spelled out over the cases in memory.</summary>
    private static List<long> Expected(IEnumerable<Case> cases, string sort) => (sort switch
    {
        "reported" => cases.OrderBy(c => c.ReportedAt).ThenBy(c => c.Id),
        "-reported" => cases.OrderByDescending(c => c.ReportedAt).ThenByDescending(c => c.Id),
        "due" => cases.OrderBy(c => c.PhaseDueAt is null).ThenBy(c => c.PhaseDueAt).ThenBy(c => c.PhaseDueAt is null ? c.ReportedAt : default).ThenBy(c => c.Id),
        "-updated" => cases.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id),
        "number" => cases.OrderBy(c => c.Number, StringComparer.Ordinal),
        _ => throw new ArgumentOutOfRangeException(nameof(sort)),
    }).Select(c => c.Id).ToList();

    [Theory]
    [InlineData("reported")]
    [InlineData("-reported")]
    [InlineData("due")]
    [InlineData("-updated")]
    [InlineData("number")]
    public async Task Cursor_pages_list_every_visible_case_once_in_order_and_back(string sort)
    {
        await using var db = volume.NewContext();
        var visible = await db.Cases.AsNoTracking().VisibleTo(Mixed).ToListAsync();
        Assert.Contains(visible, c => c.ReporterId == "me" && c.DistrictCode != CaseVolume.District); // the merge has something to merge
        Assert.Contains(visible, c => c.DepartmentCode == "D1" && c.DistrictCode == "339901");
        var expected = Expected(visible, sort);

        var pages = new List<IReadOnlyList<long>>();
        string? cursor = null;
        CaseListPage page;
        do
        {
            page = await PageAsync(db, Mixed, sort, cursor);
            Assert.Null(page.Problem);
            pages.Add(page.Items.Select(c => c.Id).ToList());
            Assert.True(pages.Count < 1000, "paging does not end");
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(expected, pages.SelectMany(p => p).ToList());
        Assert.Equal(visible.Count, page.Total);
        Assert.False(page.TotalAtLeast);

        // And back again from the last page, the same pages in reverse.
        var back = new List<IReadOnlyList<long>> { pages[^1] };
        cursor = page.PreviousCursor;
        while (cursor is not null)
        {
            var previous = await PageAsync(db, Mixed, sort, cursor);
            Assert.Null(previous.Problem);
            back.Add(previous.Items.Select(c => c.Id).ToList());
            cursor = previous.PreviousCursor;
        }
        back.Reverse();
        Assert.Equal(pages, back);
    }

    [Fact]
    public async Task Filtered_cursor_pages_hold_exactly_the_filtered_cases()
    {
        await using var db = volume.NewContext();
        var filter = new CaseFilter(State: "Closed", Category: "0103");
        var expected = Expected(await filter.Apply(db.Cases.AsNoTracking().VisibleTo(Mixed))!.ToListAsync(), "-reported");
        Assert.NotEmpty(expected);
        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await PageAsync(db, Mixed, "-reported", cursor, pageSize: 5, filter: filter);
            seen.AddRange(page.Items.Select(c => c.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Page_numbers_still_reach_the_same_pages_as_cursors()
    {
        await using var db = volume.NewContext();
        var first = await PageAsync(db, Mixed, "due", null, pageSize: 20);
        var second = await PageAsync(db, Mixed, "due", first.NextCursor, pageSize: 20);
        var third = await PageAsync(db, Mixed, "due", second.NextCursor, pageSize: 20);
        var byNumber = await PageAsync(db, Mixed, "due", null, pageSize: 20, page: 3);
        Assert.Equal(third.Items.Select(c => c.Id), byNumber.Items.Select(c => c.Id));
        Assert.Equal(third.NextCursor, byNumber.NextCursor);

        var tooDeep = await PageAsync(db, Mixed, "due", null, pageSize: 100, page: CaseListing.MaxOffset / 100 + 2);
        Assert.Equal("page", FieldOf(tooDeep));
    }

    [Fact]
    public async Task A_cursor_is_refused_for_another_sort_and_when_garbled()
    {
        await using var db = volume.NewContext();
        var first = await PageAsync(db, Mixed, "-reported", null);
        Assert.NotNull(first.NextCursor);
        Assert.Equal("cursor", FieldOf(await PageAsync(db, Mixed, "due", first.NextCursor)));
        Assert.Equal("cursor", FieldOf(await PageAsync(db, Mixed, "-reported", "not-a-cursor")));
        Assert.Equal("cursor", FieldOf(await PageAsync(db, Mixed, "-reported", first.NextCursor![..^4])));
    }

    private static string? FieldOf(CaseListPage page)
    {
        Assert.NotNull(page.Problem);
        Assert.Equal(400, page.Problem!.StatusCode);
        return Assert.IsType<Dictionary<string, string[]>>(page.Problem.ProblemDetails.Extensions["errors"]).Keys.Single();
    }

    [Fact]
    public async Task The_total_is_exact_up_to_the_limit_and_flagged_beyond()
    {
        await using var db = volume.NewContext();
        var leader = new Actor("leader", "leader", "leader", [new Grant(Role.Leader, CaseVolume.District)]);
        var district = await PageAsync(db, leader, "-reported", null);
        Assert.Equal(await db.Cases.CountAsync(c => c.DistrictCode == CaseVolume.District), district.Total);
        Assert.False(district.TotalAtLeast);

        var city = new Actor("mayor", "mayor", "mayor", [new Grant(Role.Leader, "3399")]);
        Assert.True(CaseVolume.Count > CaseListing.CountLimit);
        var all = await PageAsync(db, city, "-reported", null);
        Assert.Equal(CaseListing.CountLimit, all.Total);
        Assert.True(all.TotalAtLeast);
        Assert.NotNull(all.NextCursor);
    }

    [Fact]
    public async Task A_text_searchs_total_is_counted_to_its_own_lower_limit()
    {
        await using var db = volume.NewContext();
        var city = new Actor("mayor", "mayor", "mayor", [new Grant(Role.Leader, "3399")]);
        var found = await PageAsync(db, city, "-reported", null, filter: await new CaseFilter(Q: "synthetic").PrepareSearchAsync(db, default));
        Assert.Equal(CaseListing.SearchCountLimit, found.Total);
        Assert.True(found.TotalAtLeast);
        Assert.NotNull(found.NextCursor);
    }

    [Fact]
    public async Task The_unit_filter_reads_a_units_cases_or_a_departments()
    {
        await using var db = volume.NewContext();
        var city = new Actor("mayor", "mayor", "mayor", [new Grant(Role.Leader, "3399")]);
        var cases = await db.Cases.AsNoTracking().ToListAsync();
        var street = cases[cases.Count / 2].StreetCode;
        var underStreet = await PageAsync(db, city, "-reported", null, pageSize: 100, filter: new CaseFilter(Unit: street));
        Assert.Equal(cases.Count(c => c.StreetCode == street), underStreet.Total);
        Assert.Equal(Expected(cases.Where(c => c.StreetCode == street), "-reported").Take(100), underStreet.Items.Select(c => c.Id));
        var department = await PageAsync(db, city, "-reported", null, pageSize: 100, filter: new CaseFilter(Unit: "D1"));
        Assert.Equal(Expected(cases.Where(c => c.DepartmentCode == "D1"), "-reported").Take(100), department.Items.Select(c => c.Id));
    }

    public static TheoryData<string, string> ScopesAndFilters()
    {
        var data = new TheoryData<string, string>();
        foreach (var scope in new[] { "district", "street", "community" })
        {
            foreach (var filter in new[] { "none", "state=Closed", "state=Reported", "category=0105", "overdue", "supervised", "extended", "suspended", "from-to" })
            {
                data.Add(scope, filter);
            }
        }
        return data;
    }

    /// <summary>
    /// Every statement the first page of a list runs (each branch, the bounded count) reads an index range of
    /// <c>cases</c> whose leading columns are the scope and the filter: never the whole table, never a whole index,
    /// never a sort of the scope. At 10 M cases a district holds a million; a plan that read them all would be here
    /// the same plan on a few thousand, which is why the shape of the plan is asserted rather than its time.
    /// </summary>
    [Theory]
    [MemberData(nameof(ScopesAndFilters))]
    public async Task A_first_page_under_one_filter_reads_an_index_range_of_its_scope(string scope, string filter)
    {
        var (actor, column) = scope switch
        {
            "district" => (new Actor("leader", "l", "l", [new Grant(Role.Leader, CaseVolume.District)]), "DistrictCode"),
            "street" => (new Actor("street", "s", "s", [new Grant(Role.StreetDispatcher, CaseVolume.Street)]), "StreetCode"),
            _ => (new Actor("community", "c", "c", [new Grant(Role.CommunityOperator, CaseVolume.Community)]), "CommunityCode"),
        };
        var (caseFilter, index) = filter switch
        {
            "none" => (new CaseFilter(), $"^IX_cases_{column}_ReportedAt_Id$"),
            "state=Closed" => (new CaseFilter(State: "Closed"), $"^IX_cases_{column}_State_ReportedAt_Id$"),
            "state=Reported" => (new CaseFilter(State: "Reported"), $"^IX_cases_{column}_State_ReportedAt_Id$"),
            // A community is small enough to be read with the filter; a street or district has a category index.
            "category=0105" => (new CaseFilter(Category: "0105"), scope == "community" ? $"^IX_cases_{column}_" : $"^IX_cases_{column}_CategoryCode_ReportedAt_Id$"),
            "from-to" => (new CaseFilter(From: CaseVolume.Start.AddHours(1), To: CaseVolume.Start.AddHours(2)), $"^IX_cases_{column}_ReportedAt_Id$"),
            var flag => (new CaseFilter(Overdue: flag == "overdue" ? true : null, Supervised: flag == "supervised" ? true : null,
                Extended: flag == "extended" ? true : null, Suspended: flag == "suspended" ? true : null), $"^IX_cases_{flag}_{column}$"),
        };

        await using var db = volume.NewContext();
        using var log = new CommandLog(db);
        var page = await PageAsync(db, actor, "-reported", null, pageSize: 50, filter: caseFilter);
        Assert.Null(page.Problem);
        Assert.NotEmpty(log.Commands);
        Assert.NotEmpty(page.Items);

        foreach (var command in log.Commands)
        {
            var plan = await ExplainAsync(db, command);
            output.WriteLine(command.Sql);
            output.WriteLine(string.Join("\n", plan));
            var scopeBranch = command.Sql.Contains($"\"{column}\" = ", StringComparison.Ordinal);
            var ownBranch = command.Sql.Contains("\"ReporterId\" = ", StringComparison.Ordinal);
            if (db.Database.IsSqlite())
            {
                // "SCAN c" (the table, or a whole index) is a full read; "SEARCH c USING INDEX x (…=?)" is a range.
                Assert.DoesNotContain(plan, line => Regex.IsMatch(line, @"^SCAN c\b"));
                Assert.DoesNotContain(plan, line => line.Contains("TEMP B-TREE FOR ORDER BY", StringComparison.Ordinal));
                var used = plan.Select(line => Regex.Match(line, @"^SEARCH c USING (?:COVERING )?INDEX (\S+)")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
                Assert.Single(used);
                if (scopeBranch) Assert.Matches(index, used[0]);
                if (ownBranch) Assert.StartsWith("IX_cases_ReporterId", used[0]);
            }
            else
            {
                // PostgreSQL picks by cost, and a few thousand rows make any plan cheap: what is asserted is that it
                // reads cases through the index meant for the scope and filter, not the table.
                Assert.DoesNotContain(plan, line => line.Contains("Seq Scan on cases", StringComparison.Ordinal));
                var used = plan.Select(line => Regex.Match(line, @"Index (?:Only )?Scan(?: Backward)? using ""?([^"" ]+)""? on cases|Bitmap Index Scan on ""?([^"" ]+)"))
                    .Where(m => m.Success).Select(m => m.Groups[1].Success && m.Groups[1].Value.Length > 0 ? m.Groups[1].Value : m.Groups[2].Value).ToList();
                Assert.NotEmpty(used);
                if (ownBranch) Assert.All(used, u => Assert.StartsWith("IX_cases_ReporterId", u));
                if (!scopeBranch) continue;
                // PostgreSQL's costs at this volume also choose, rightly, plans that stay bounded at any volume: the whole
                // date order (IX_cases_ReportedAt_Id) filtered by a scope holding a twentieth of the table, stopping at the
                // page; or an unordered count through any index led by the scope's column, ANDed with a filter's bitmap.
                // Either reads a range of the scope's or the date index, which is what is asserted.
                Assert.Contains(used, u => Regex.IsMatch(u, index) || u.StartsWith($"IX_cases_{column}_", StringComparison.Ordinal)
                    || u.EndsWith($"_{column}", StringComparison.Ordinal) || u == "IX_cases_ReportedAt_Id");
                // A page sorted after reading is bounded only if what was read is the scope under its filter's own index.
                if (command.Sql.Contains("ORDER BY", StringComparison.Ordinal) && plan.Any(line => Regex.IsMatch(line, @"^(->\s*)?Sort\b")))
                {
                    Assert.Contains(used, u => Regex.IsMatch(u, index));
                }
            }
        }
    }

    /// <summary>The inbox's branches each read a state (or a pending request) under a unit, never the unit's history.</summary>
    [Theory]
    [InlineData(Role.CommunityOperator, CaseVolume.Community)]
    [InlineData(Role.StreetDispatcher, CaseVolume.Street)]
    [InlineData(Role.DistrictDispatcher, CaseVolume.District)]
    [InlineData(Role.Leader, CaseVolume.District)]
    [InlineData(Role.GridWorker, CaseVolume.Community + "001")]
    public async Task An_inbox_reads_what_waits_not_the_history(Role role, string unit)
    {
        var actor = new Actor("someone", "s", "s", [new Grant(role, unit)]);
        await using var db = volume.NewContext();
        using var log = new CommandLog(db);
        var page = await CaseListing.PageAsync(db.Cases.AsNoTracking(), CaseQueries.InboxBranches(actor), new CaseFilter(), "due", 1, 50, null, default);
        Assert.Null(page.Problem);
        var expected = await db.Cases.AsNoTracking().VisibleTo(actor).InboxOf(actor).CountAsync();
        Assert.Equal(expected, page.Total);
        foreach (var command in log.Commands)
        {
            var plan = await ExplainAsync(db, command);
            output.WriteLine(command.Sql);
            output.WriteLine(string.Join("\n", plan));
            if (db.Database.IsSqlite())
            {
                Assert.DoesNotContain(plan, line => Regex.IsMatch(line, @"^SCAN c\b"));
            }
            else
            {
                Assert.DoesNotContain(plan, line => line.Contains("Seq Scan on cases", StringComparison.Ordinal));
            }
        }
    }

    private static async Task<List<string>> ExplainAsync(OneGridDbContext db, CapturedCommand command)
    {
        var sqlite = db.Database.IsSqlite();
        await db.Database.OpenConnectionAsync();
        await using var explain = db.Database.GetDbConnection().CreateCommand();
        explain.CommandText = (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + command.Sql;
        foreach (var p in command.Parameters) explain.Parameters.Add(p);
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(sqlite ? 3 : 0).Trim());
        return lines;
    }

    private sealed record CapturedCommand(string Sql, List<DbParameter> Parameters);

    /// <summary>The commands EF runs for one context, with copies of their parameters, as its diagnostics report them.</summary>
    private sealed class CommandLog : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly DbContext _db;
        private readonly List<IDisposable> _subscriptions = [];

        public CommandLog(DbContext db)
        {
            _db = db;
            _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }

        public List<CapturedCommand> Commands { get; } = [];

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name) _subscriptions.Add(listener.Subscribe(this));
        }

        public void OnNext(KeyValuePair<string, object?> e)
        {
            if (e.Key != RelationalEventId.CommandExecuting.Name || e.Value is not CommandEventData data || data.Context != _db) return;
            var copies = data.Command.Parameters.Cast<DbParameter>().Select(p => p is ICloneable c ? (DbParameter)c.Clone() : Copy(data.Command, p)).ToList();
            lock (Commands) Commands.Add(new(data.Command.CommandText, copies));
        }

        private static DbParameter Copy(DbCommand command, DbParameter p)
        {
            var copy = command.CreateParameter();
            copy.ParameterName = p.ParameterName;
            copy.DbType = p.DbType;
            copy.Value = p.Value;
            return copy;
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            foreach (var s in _subscriptions) s.Dispose();
        }
    }
}

public sealed class CaseListingSqliteTests(SqliteCaseVolume volume, ITestOutputHelper output) : CaseListingTests(volume, output), IClassFixture<SqliteCaseVolume>;

[Trait("Database", "Postgres")]
public sealed class CaseListingPostgresTests(PostgresCaseVolume volume, ITestOutputHelper output) : CaseListingTests(volume, output), IClassFixture<PostgresCaseVolume>;
