using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Features;
using NetTopologySuite.IO;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Territory;

public sealed record PathItem(string Code, string Name, string Level);

public sealed record ResolveResponse(IReadOnlyList<PathItem> Path, bool Nearest, double? DistanceMeters);

public sealed record UnitResponse(string Code, string Name, string? NameEn, string Level, string? ParentCode, int ChildCount);

public static class TerritoryEndpoints
{
    public static IEndpointRouteBuilder MapTerritoryEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Territory");

        api.MapGet("/resolve", Resolve)
            .WithName("Resolve")
            .WithSummary("Which grid holds a point: the path district → street → community → grid.");
        api.MapGet("/units/{code}", GetUnit).WithName("GetUnit").WithSummary("One unit of the territory tree.");
        api.MapGet("/units/{code}/children", GetChildren).WithName("GetUnitChildren").WithSummary("The unit's children, paged.");
        api.MapGet("/units/{code}/children.geojson", GetChildrenGeoJson)
            .WithName("GetUnitChildrenGeoJson")
            .WithSummary("The unit's children as a GeoJSON FeatureCollection, for maps.");
        return app;
    }

    internal static Results<Ok<ResolveResponse>, ProblemHttpResult> Resolve(string? lon, string? lat, TerritoryIndexHolder territory)
    {
        if (ParseCoordinate("lon", lon, 180, out var x) is { } badLon) return badLon;
        if (ParseCoordinate("lat", lat, 90, out var y) is { } badLat) return badLat;

        var resolution = territory.Current.Resolve(x, y);
        if (resolution is null)
        {
            return OutsideTerritory(x, y);
        }
        return TypedResults.Ok(ToResponse(resolution));
    }

    public static ResolveResponse ToResponse(Resolution r) =>
        new(r.Path.Select(p => new PathItem(p.Code, p.Name, p.Level.ToWire())).ToList(), r.Nearest, r.DistanceMeters);

    public static ProblemHttpResult OutsideTerritory(double lon, double lat) =>
        Problems.NotFound("outside-territory", "该位置不在辖区范围内", "The location is outside the territory",
            Text.Pick($"经度 {lon.ToString(CultureInfo.InvariantCulture)}、纬度 {lat.ToString(CultureInfo.InvariantCulture)} 不在任何网格内，也不在网格 {TerritoryIndex.DefaultToleranceMeters} 米范围内。",
                $"lon {lon.ToString(CultureInfo.InvariantCulture)}, lat {lat.ToString(CultureInfo.InvariantCulture)} is in no grid and not within {TerritoryIndex.DefaultToleranceMeters} m of one."));

    /// <summary>Parses a longitude or latitude query value; returns a 400 problem when it is missing, not a number, or out of range.</summary>
    public static ProblemHttpResult? ParseCoordinate(string field, string? text, double limit, out double value)
    {
        value = 0;
        var zhName = field == "lon" ? "经度" : "纬度";
        if (string.IsNullOrWhiteSpace(text))
        {
            return Problems.InvalidField(field, $"缺少{zhName}参数 {field}", $"The query parameter '{field}' is required");
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
        {
            return Problems.InvalidField(field, $"{zhName} {field} 必须是数字", $"'{field}' must be a number");
        }
        if (value < -limit || value > limit)
        {
            return Problems.InvalidField(field, $"{zhName} {field} 必须在 −{limit} 到 {limit} 之间", $"'{field}' must be between -{limit} and {limit}");
        }
        return null;
    }

    internal static async Task<Results<Ok<UnitResponse>, ProblemHttpResult>> GetUnit(string code, OneGridDbContext db, CancellationToken ct)
    {
        var unit = await db.Units.AsNoTracking()
            .Where(u => u.Code == code)
            .Select(u => new { u.Code, u.Name, u.NameEn, u.Level, u.ParentCode, Children = db.Units.Count(c => c.ParentCode == u.Code) })
            .FirstOrDefaultAsync(ct);
        if (unit is null) return UnitNotFound(code);
        return TypedResults.Ok(new UnitResponse(unit.Code, unit.Name, unit.NameEn, unit.Level.ToWire(), unit.ParentCode, unit.Children));
    }

    internal static async Task<Results<Ok<Page<UnitResponse>>, ProblemHttpResult>> GetChildren(string code, int? page, int? pageSize,
        OneGridDbContext db, CancellationToken ct)
    {
        var (p, size, bad) = Paging.Normalize(page, pageSize);
        if (bad is not null)
        {
            return Problems.InvalidField(bad, $"分页参数 {bad} 无效（page ≥ 1，1 ≤ pageSize ≤ {Paging.MaxPageSize}）",
                $"Invalid '{bad}' (page ≥ 1, 1 ≤ pageSize ≤ {Paging.MaxPageSize})");
        }
        if (!await db.Units.AnyAsync(u => u.Code == code, ct)) return UnitNotFound(code);

        var query = db.Units.AsNoTracking().Where(u => u.ParentCode == code);
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(u => u.Code)
            .Skip((p - 1) * size).Take(size)
            .Select(u => new { u.Code, u.Name, u.NameEn, u.Level, u.ParentCode, Children = db.Units.Count(c => c.ParentCode == u.Code) })
            .ToListAsync(ct);
        return TypedResults.Ok(new Page<UnitResponse>(
            items.Select(u => new UnitResponse(u.Code, u.Name, u.NameEn, u.Level.ToWire(), u.ParentCode, u.Children)).ToList(),
            p, size, total));
    }

    internal static async Task<IResult> GetChildrenGeoJson(string code, OneGridDbContext db, CancellationToken ct)
    {
        if (!await db.Units.AnyAsync(u => u.Code == code, ct)) return UnitNotFound(code);
        var children = await db.Units.AsNoTracking().Where(u => u.ParentCode == code).OrderBy(u => u.Code).ToListAsync(ct);
        return Results.Json(Features(children), GeoJson.Options, "application/geo+json");
    }

    /// <summary>Units with an outline as GeoJSON features (code, name, level, parentCode); units without one are left out.</summary>
    public static FeatureCollection Features(IEnumerable<Unit> units)
    {
        var reader = new WKBReader();
        var collection = new FeatureCollection();
        foreach (var u in units)
        {
            if (u.Boundary is null) continue;
            collection.Add(new Feature(reader.Read(u.Boundary), new AttributesTable
            {
                { "code", u.Code },
                { "name", u.Name },
                { "level", u.Level.ToWire() },
                { "parentCode", u.ParentCode },
            }));
        }
        return collection;
    }

    public static ProblemHttpResult UnitNotFound(string code) =>
        Problems.NotFound("unit-not-found", "未找到该单元", "No such unit",
            Text.Pick($"编码为 {code} 的单元不存在。", $"There is no unit with code {code}."));
}
