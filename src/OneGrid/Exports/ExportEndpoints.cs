using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using OneGrid.Access;
using OneGrid.Cases;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Exports;

/// <summary>Cases (filtered like the list, scoped like the list) and grids, as CSV, XLSX and GeoJSON.</summary>
public static class ExportEndpoints
{
    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Exports").RequireActor(a => !a.IsAnonymous);
        api.MapGet("/cases/export.csv", (HttpContext http, OneGridDbContext db, IActorAccessor actors, [AsParameters] CaseFilter filter, CancellationToken ct) =>
                Export(http, db, actors, filter, "text/csv; charset=utf-8", "csv", (s, rows) => ExportWriters.CsvAsync(s, CaseExportRow.HeadersZh, rows, ct)))
            .WithName("ExportCasesCsv").WithSummary("The cases the list would show, as CSV (UTF-8 with BOM), streamed.");
        api.MapGet("/cases/export.xlsx", (HttpContext http, OneGridDbContext db, IActorAccessor actors, [AsParameters] CaseFilter filter, CancellationToken ct) =>
                Export(http, db, actors, filter, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                    (s, rows) => ExportWriters.XlsxAsync(s, "事件", CaseExportRow.HeadersZh, rows, ct)))
            .WithName("ExportCasesXlsx").WithSummary("The cases the list would show, as an Excel workbook, written row by row.");
        api.MapGet("/cases/export.geojson", ExportCasesGeoJson)
            .WithName("ExportCasesGeoJson").WithSummary("The cases the list would show, as GeoJSON points.");
        api.MapGet("/units/{code}/grids.geojson", ExportGrids)
            .WithName("ExportGridsGeoJson").WithSummary("Every grid under a unit, as GeoJSON polygons, streamed.");
        return app;
    }

    private static async Task<IResult> Export(HttpContext http, OneGridDbContext db, IActorAccessor actors, CaseFilter filter, string contentType,
        string extension, Func<Stream, IAsyncEnumerable<object?[]>, Task> write)
    {
        filter = await filter.PrepareSearchAsync(db, http.RequestAborted);
        if (filter.Apply(db.Cases.AsNoTracking().VisibleTo(actors.Current)) is not { } query) return filter.Problem!;
        var rows = query.OrderBy(c => c.Id).AsAsyncEnumerable().Select(c => CaseExportRow.From(c).Values());
        http.Response.ContentType = contentType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"cases-{DateTime.UtcNow:yyyyMMdd-HHmmss}.{extension}\"";
        await write(http.Response.Body, rows);
        return Results.Empty;
    }

    internal static async Task<IResult> ExportCasesGeoJson(HttpContext http, OneGridDbContext db, IActorAccessor actors, [AsParameters] CaseFilter filter,
        CancellationToken ct)
    {
        filter = await filter.PrepareSearchAsync(db, http.RequestAborted);
        if (filter.Apply(db.Cases.AsNoTracking().VisibleTo(actors.Current)) is not { } query) return filter.Problem!;
        var factory = NetTopologySuite.NtsGeometryServices.Instance.CreateGeometryFactory(4326);
        var features = query.OrderBy(c => c.Id).AsAsyncEnumerable().Select(c =>
        {
            var row = CaseExportRow.From(c);
            return ((Geometry)factory.CreatePoint(new Coordinate(c.Lon, c.Lat)), (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["number"] = row.Number, ["state"] = row.State, ["categoryCode"] = row.CategoryCode, ["gridCode"] = row.GridCode,
                ["departmentCode"] = row.DepartmentCode, ["supervised"] = row.Supervised, ["overdue"] = row.Overdue,
                ["reportedAt"] = row.ReportedAt,
            });
        });
        http.Response.ContentType = "application/geo+json";
        await GeoJson.WriteAsync(http.Response.Body, features, ct);
        return Results.Empty;
    }

    internal static async Task<IResult> ExportGrids(string code, HttpContext http, OneGridDbContext db, CancellationToken ct)
    {
        if (!await db.Units.AnyAsync(u => u.Code == code, ct)) return TerritoryEndpoints.UnitNotFound(code);
        var reader = new WKBReader();
        // Grid codes begin with their community's code, which begins with its street's and district's.
        var grids = db.Units.AsNoTracking().Where(u => u.Level == UnitLevel.Grid && u.Code.StartsWith(code) && u.Boundary != null)
            .OrderBy(u => u.Code).AsAsyncEnumerable()
            .Select(u => (reader.Read(u.Boundary!), (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["code"] = u.Code, ["name"] = u.Name, ["parentCode"] = u.ParentCode,
            }));
        http.Response.ContentType = "application/geo+json";
        await GeoJson.WriteAsync(http.Response.Body, grids, ct);
        return Results.Empty;
    }
}
