using Microsoft.EntityFrameworkCore;
using NetTopologySuite.IO;
using OneGrid.Persistence;
using OneGrid.Territory.Generation;
using OneGrid.Territory.Import;

namespace OneGrid.Territory;

/// <summary>The demo district: Binjiang's real 3 streets and 67 communities inside its real outline.</summary>
public static class DemoTerritory
{
    public const string DistrictCode = "330108";
    public const int Seed = 1;

    public static readonly GenerationOptions Options = new() { Seed = Seed, BuildingsPerGrid = 6 };

    /// <summary>Idempotent: does nothing when the district already has grids.</summary>
    public static async Task<bool> EnsureAsync(OneGridDbContext db, TimeProvider time, ILogger logger, CancellationToken ct = default)
    {
        var prefix = DistrictCode;
        var hasGrids = await db.Units.AnyAsync(u => u.Level == UnitLevel.Grid && u.Code.StartsWith(prefix), ct);
        if (hasGrids) return false;

        var units = TerritoryGenerator.Generate(DivisionsCsv.Hangzhou(), TerritoryGenerator.HangzhouOutlines(), DistrictCode, Options);
        var result = await TerritoryStore.UpsertAsync(db, ToWrites(units), time, ct: ct);
        logger.LogInformation("Demo district 滨江区 loaded: {Created} units", result.Created);
        return true;
    }

    public static List<UnitWrite> ToWrites(IEnumerable<GeneratedUnit> units)
    {
        var writer = new WKBWriter();
        return units.Select(u => new UnitWrite(u.Code)
        {
            Name = u.Name,
            Level = u.Level,
            ParentCode = u.ParentCode,
            SetParent = true,
            Boundary = u.Boundary is null ? null : writer.Write(u.Boundary),
        }).ToList();
    }
}
