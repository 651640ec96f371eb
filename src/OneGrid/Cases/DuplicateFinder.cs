using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Cases;

/// <summary>
/// Open cases of the same category within the radius and time window of a case: proposed, a person merges.
/// One plain query per case on the (CategoryCode, Cell) index — category and the cells the radius touches
/// only, so that index is the one used — then the few rows are checked for state, age and distance here.
/// Runs on the caller's connection (and transaction, if any), so the report writer can run it for a whole
/// batch inside the batch's transaction.
/// </summary>
public sealed class DuplicateFinder(IOptions<CaseOptions> options)
{
    private readonly CaseOptions _options = options.Value;

    private static readonly CaseState[] Open = [CaseState.Reported, CaseState.Registered, CaseState.Dispatched, CaseState.InProgress, CaseState.Handled];

    /// <summary>The most candidates proposed, nearest first: a person reads them.</summary>
    public const int MaxCandidates = 20;

    public double WindowHours => _options.DuplicateWindowHours;

    public async Task<List<DuplicateCandidate>> FindAsync(OneGridDbContext db, Case c, CancellationToken ct)
    {
        if (c.CategoryCode is null) return [];
        var cells = CellsAround(c.Lon, c.Lat);
        var since = Since(c);

        var columns = Columns.Of(db);
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var sql = new System.Text.StringBuilder(columns.Select);
            sql.Append(" WHERE ").Append(columns.Category).Append(" = ").Append(Parameter(command, columns, "c", c.CategoryCode));
            sql.Append(" AND ").Append(columns.Cell).Append(" IN (");
            for (var i = 0; i < cells.Count; i++) sql.Append(i == 0 ? "" : ", ").Append(Parameter(command, columns, "x" + i, cells[i]));
            sql.Append(") AND ").Append(columns.Id).Append(" <> ").Append(Parameter(command, columns, "id", c.Id));
            sql.Append(" ORDER BY ").Append(columns.Id).Append(" DESC LIMIT 200");
            command.CommandText = sql.ToString();

            var found = new List<DuplicateCandidate>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var state = (CaseState)columns.StateMapping.Converter!.ConvertFromProvider(reader.GetString(4))!;
                var reportedAt = columns.ReadInstant(reader, 5);
                if (!IsOpen(state) || reportedAt < since) continue;
                if (Distance(c, reader.GetDouble(2), reader.GetDouble(3)) is { } distance)
                {
                    found.Add(new DuplicateCandidate(reader.GetInt64(0), reader.GetString(1), distance));
                }
            }
            return Ranked(found);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The candidates as proposed: nearest first (the newer of two at one distance), at most <see cref="MaxCandidates"/>.</summary>
    public static List<DuplicateCandidate> Ranked(List<DuplicateCandidate> found)
    {
        found.Sort((a, b) => a.DistanceMeters != b.DistanceMeters ? a.DistanceMeters.CompareTo(b.DistanceMeters) : b.Id.CompareTo(a.Id));
        if (found.Count > MaxCandidates) found.RemoveRange(MaxCandidates, found.Count - MaxCandidates);
        return found;
    }

    /// <summary>The states a duplicate may be in: a case still being worked on.</summary>
    public static bool IsOpen(CaseState state) => Array.IndexOf(Open, state) >= 0;

    /// <summary>Every cell the radius' bounding box around the point touches (3 × 3 for the default 50 m).</summary>
    public List<long> CellsAround(double lon, double lat)
    {
        var dLat = _options.DuplicateRadiusMeters / 111_320;
        var dLon = dLat / Math.Max(0.01, Math.Cos(lat * Math.PI / 180));
        var cells = new List<long>(9);
        for (var x = (long)Math.Floor((lon - dLon) / Case.CellDegrees); x <= (long)Math.Floor((lon + dLon) / Case.CellDegrees); x++)
        for (var y = (long)Math.Floor((lat - dLat) / Case.CellDegrees); y <= (long)Math.Floor((lat + dLat) / Case.CellDegrees); y++)
        {
            cells.Add(Case.CellAt(x, y));
        }
        return cells;
    }

    /// <summary>Cases reported before this are too old to be the same problem.</summary>
    public DateTimeOffset Since(Case c) => c.ReportedAt.AddHours(-_options.DuplicateWindowHours);

    /// <summary>The distance in metres (to 0.1 m) when the point is within the radius of the case, else null.</summary>
    public double? Distance(Case c, double lon, double lat)
    {
        var distance = Math.Round(TerritoryIndex.HaversineMeters(c.Lon, c.Lat, lon, lat), 1);
        return distance <= _options.DuplicateRadiusMeters ? distance : null;
    }

    private static string Parameter(DbCommand command, Columns columns, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
        return columns.Placeholder(name);
    }

    /// <summary>Table and column names and the instant's storage, from the context's model (once per model).</summary>
    private sealed class Columns
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<IModel, Columns> ByModel = new();

        public required string Select { get; init; }
        public required string Id { get; init; }
        public required string Category { get; init; }
        public required string Cell { get; init; }
        public required RelationalTypeMapping StateMapping { get; init; }
        public required RelationalTypeMapping InstantMapping { get; init; }
        public required Func<string, string> Placeholder { get; init; }

        public DateTimeOffset ReadInstant(DbDataReader reader, int ordinal)
        {
            var stored = InstantMapping.Converter?.ProviderClrType == typeof(long) ? reader.GetInt64(ordinal) : (object)reader.GetFieldValue<DateTimeOffset>(ordinal);
            return (DateTimeOffset)(InstantMapping.Converter is { } converter ? converter.ConvertFromProvider(stored)! : stored);
        }

        public static Columns Of(DbContext db) => ByModel.GetOrAdd(db.Model, static (_, db) =>
        {
            var store = StoreNames.Of<Case>(db);
            var names = new[] { nameof(Case.Id), nameof(Case.Number), nameof(Case.Lon), nameof(Case.Lat), nameof(Case.State), nameof(Case.ReportedAt) };
            return new Columns
            {
                Select = $"SELECT {string.Join(", ", names.Select(store.Column))} FROM {store.Table}",
                Id = store.Column(nameof(Case.Id)),
                Category = store.Column(nameof(Case.CategoryCode)),
                Cell = store.Column(nameof(Case.Cell)),
                StateMapping = (RelationalTypeMapping)store.Entity.FindProperty(nameof(Case.State))!.GetTypeMapping(),
                InstantMapping = (RelationalTypeMapping)store.Entity.FindProperty(nameof(Case.ReportedAt))!.GetTypeMapping(),
                Placeholder = store.Placeholder,
            };
        }, db);
    }
}
