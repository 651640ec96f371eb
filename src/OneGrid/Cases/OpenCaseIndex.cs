using Microsoft.EntityFrameworkCore;

namespace OneGrid.Cases;

/// <summary>What the duplicate search needs of a case.</summary>
/// <summary>What the duplicate search needs of a case, at one version of it.</summary>
public readonly record struct OpenCaseRow(long Id, long Version, string Number, string? CategoryCode, double Lon, double Lat, CaseState State,
    DateTimeOffset ReportedAt)
{
    public static OpenCaseRow Of(Case c) => new(c.Id, c.Version, c.Number, c.CategoryCode, c.Lon, c.Lat, c.State, c.ReportedAt);

    public bool IsCandidate => CategoryCode is not null && DuplicateFinder.IsOpen(State);
}

/// <summary>
/// This node's memory of the open cases reported within the duplicate window, by category and cell, so that
/// intake proposes duplicates (DESIGN §2: same category, within 50 m, still open) without a database read
/// per report. On SQLite such a read was the dearest part of a report: every commit of the report writer
/// makes the other connections' page caches stale, so each search read its pages back from the file.
/// <para>
/// How it stays current:
/// <list type="bullet">
/// <item>loaded from the database once the host has started (<see cref="LoadAsync"/>); until then
/// <see cref="TryFind"/> answers null and the caller searches the database;</item>
/// <item>changes made on this node — reports by the report writer, actions by <see cref="CaseService"/> —
/// are applied as soon as they are committed;</item>
/// <item>changes made on other nodes arrive with the live case feed, which reads the cases whose timeline
/// grew every half second (<c>CommandCentre.LiveCaseFeed</c>).</item>
/// </list>
/// A report on another node is therefore proposed here at most a feed period late, which is as good as a
/// database search could do for a report still in the other node's uncommitted batch. Duplicates are
/// proposals a person confirms; the case page's merge form searches the database itself.
/// </para>
/// <para>
/// The same change can arrive twice and out of order (applied here at commit, then read again by the feed),
/// so every case within the window is remembered with its version, closed ones too, and an older version
/// never replaces a newer one.
/// </para>
/// </summary>
public sealed class OpenCaseIndex(DuplicateFinder rule, TimeProvider time)
{
    private readonly Lock _lock = new();
    // Every case within the window, open or not (for its version); only open ones are in _byCell.
    private readonly Dictionary<long, OpenCaseRow> _byId = [];
    private readonly Dictionary<(string Category, long Cell), List<long>> _byCell = [];
    private bool _loaded;
    private int _appliedSincePrune;

    /// <summary>Whether the index has been loaded and answers for this node.</summary>
    public bool IsLoaded
    {
        get
        {
            lock (_lock) return _loaded;
        }
    }

    /// <summary>Whether this node knows the case is open and a candidate.</summary>
    public bool IsCandidate(long id)
    {
        lock (_lock) return _byId.TryGetValue(id, out var row) && row.IsCandidate;
    }

    /// <summary>Reads the open cases within the window from the database; the rows then stand for everything committed so far.</summary>
    public async Task LoadAsync(Persistence.OneGridDbContext db, CancellationToken ct)
    {
        var since = time.GetUtcNow().AddHours(-rule.WindowHours);
        var rows = await db.Cases.AsNoTracking()
            .Where(c => c.ReportedAt >= since)
            .Select(c => new OpenCaseRow(c.Id, c.Version, c.Number, c.CategoryCode, c.Lon, c.Lat, c.State, c.ReportedAt))
            .ToListAsync(ct);
        Load(rows);
    }

    /// <summary>Replaces the index with these rows, which stand for everything committed so far.</summary>
    public void Load(IEnumerable<OpenCaseRow> rows)
    {
        lock (_lock)
        {
            _byId.Clear();
            _byCell.Clear();
            foreach (var row in rows) Put(row);
            _loaded = true;
        }
    }

    /// <summary>Takes in committed changes (new cases, changed states or categories); a case no longer open leaves the index.</summary>
    public void Apply(IEnumerable<OpenCaseRow> rows)
    {
        lock (_lock)
        {
            foreach (var row in rows)
            {
                if (_byId.TryGetValue(row.Id, out var known) && known.Version > row.Version) continue;
                Remove(row.Id);
                Put(row);
                _appliedSincePrune++;
            }
            if (_appliedSincePrune > 10_000 || _appliedSincePrune > _byId.Count) Prune();
        }
    }

    public void Apply(Case c) => Apply([OpenCaseRow.Of(c)]);

    /// <summary>The open cases of the same category within the radius, nearest first; null while the index is not loaded.</summary>
    public List<DuplicateCandidate>? TryFind(Case c)
    {
        if (c.CategoryCode is null) return IsLoaded ? [] : null;
        var cells = rule.CellsAround(c.Lon, c.Lat);
        var since = rule.Since(c);
        var found = new List<DuplicateCandidate>();
        lock (_lock)
        {
            if (!_loaded) return null;
            foreach (var cell in cells)
            {
                if (!_byCell.TryGetValue((c.CategoryCode, cell), out var ids)) continue;
                foreach (var id in ids)
                {
                    var row = _byId[id];
                    if (id == c.Id || row.ReportedAt < since) continue;
                    if (rule.Distance(c, row.Lon, row.Lat) is { } distance) found.Add(new DuplicateCandidate(id, row.Number, distance));
                }
            }
        }
        return DuplicateFinder.Ranked(found);
    }

    private void Put(OpenCaseRow row)
    {
        _byId[row.Id] = row;
        if (!row.IsCandidate) return;
        var key = (row.CategoryCode!, Case.CellOf(row.Lon, row.Lat));
        if (!_byCell.TryGetValue(key, out var ids)) _byCell[key] = ids = [];
        ids.Add(row.Id);
    }

    private void Remove(long id)
    {
        if (!_byId.Remove(id, out var old) || !old.IsCandidate) return;
        var key = (old.CategoryCode!, Case.CellOf(old.Lon, old.Lat));
        if (_byCell.TryGetValue(key, out var ids) && ids.Remove(id) && ids.Count == 0) _byCell.Remove(key);
    }

    /// <summary>Drops cases that have aged out of the window, so the index holds days of reports, not years.</summary>
    private void Prune()
    {
        _appliedSincePrune = 0;
        var since = time.GetUtcNow().AddHours(-rule.WindowHours);
        foreach (var old in _byId.Values.Where(r => r.ReportedAt < since).Select(r => r.Id).ToList()) Remove(old);
    }
}
