using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.IO;
using NetTopologySuite.Operation.OverlayNG;
using NetTopologySuite.Operation.Valid;
using OneGrid.Persistence;
using OneGrid.Territory.Generation;

namespace OneGrid.Territory.Import;

/// <summary>What an import found and did. Nothing is written unless <see cref="Problems"/> is empty.</summary>
public sealed record ImportReport(int Units, IReadOnlyList<ImportProblem> Problems, IReadOnlyList<ImportProblem> Warnings, bool Written,
    UpsertResult? Result)
{
    public bool IsClean => Problems.Count == 0;
}

/// <summary>
/// Validates a whole divisions or polygons file against itself and the stored tree, and writes it in one
/// transaction only when every check passes. A dry run stops after the checks.
/// </summary>
public sealed class TerritoryImporter(OneGridDbContext db, TimeProvider time)
{
    /// <summary>A child may stray outside its parent, or overlap a sibling, by this share of its area (survey noise).</summary>
    public const double AreaTolerance = 0.001;

    public async Task<ImportReport> ImportDivisionsAsync(TextReader csv, bool dryRun, CancellationToken ct = default)
    {
        var (rows, problems) = DivisionsCsv.Parse(csv);
        var stored = await db.Units.AsNoTracking().Select(u => new { u.Code, u.Level }).ToDictionaryAsync(u => u.Code, u => u.Level, ct);

        var inFile = new Dictionary<string, DivisionRow>();
        foreach (var row in rows)
        {
            if (!inFile.TryAdd(row.Code, row))
            {
                problems.Add(new ImportProblem(ImportProblemKind.DuplicateCode, row.Line, row.Code,
                    $"编码重复（第 {inFile[row.Code].Line} 行已有）", $"Duplicate code (already on line {inFile[row.Code].Line})"));
            }
        }
        foreach (var row in rows)
        {
            if (row.Level == UnitLevel.City)
            {
                if (row.ParentCode is not null)
                    problems.Add(new ImportProblem(ImportProblemKind.WrongParentLevel, row.Line, row.Code, "市级单元不能有上级", "A city has no parent"));
                continue;
            }
            if (row.ParentCode is null)
            {
                problems.Add(new ImportProblem(ImportProblemKind.UnknownParent, row.Line, row.Code,
                    $"{row.Level.ZhName()}必须有上级编码", $"A {row.Level.ToWire()} needs a parent_code"));
                continue;
            }
            UnitLevel parentLevel;
            if (inFile.TryGetValue(row.ParentCode, out var parentRow)) parentLevel = parentRow.Level;
            else if (stored.TryGetValue(row.ParentCode, out var storedLevel)) parentLevel = storedLevel;
            else
            {
                problems.Add(new ImportProblem(ImportProblemKind.UnknownParent, row.Line, row.Code,
                    $"上级编码 {row.ParentCode} 不存在（文件和库中都没有）", $"Unknown parent {row.ParentCode} (not in the file nor stored)"));
                continue;
            }
            if (parentLevel != row.Level.ParentLevel())
            {
                problems.Add(new ImportProblem(ImportProblemKind.WrongParentLevel, row.Line, row.Code,
                    $"{row.Level.ZhName()}的上级应为{row.Level.ParentLevel()!.Value.ZhName()}，而 {row.ParentCode} 是{parentLevel.ZhName()}",
                    $"A {row.Level.ToWire()} must hang under a {row.Level.ParentLevel()!.Value.ToWire()}; {row.ParentCode} is a {parentLevel.ToWire()}"));
            }
        }

        if (problems.Count > 0 || dryRun) return new ImportReport(rows.Count, problems, [], false, null);
        var writes = rows.Select(r => new UnitWrite(r.Code)
        {
            Name = r.Name, NameEn = r.NameEn, Level = r.Level, ParentCode = r.ParentCode, SetParent = true,
        }).ToList();
        var result = await TerritoryStore.UpsertAsync(db, writes, time, ct: ct);
        return new ImportReport(rows.Count, problems, [], true, result);
    }

    /// <summary>
    /// Imports polygons from a GeoJSON FeatureCollection, each feature matched to a unit by its
    /// <c>code</c> property, else by a unique <c>name</c>. With <paramref name="repair"/>, invalid rings
    /// are fixed (NTS GeometryFixer) and reported as warnings instead of problems.
    /// </summary>
    public async Task<ImportReport> ImportPolygonsAsync(FeatureCollection features, bool dryRun, bool repair, CancellationToken ct = default)
    {
        var problems = new List<ImportProblem>();
        var warnings = new List<ImportProblem>();
        var units = await db.Units.AsNoTracking().ToListAsync(ct);
        var byCode = units.ToDictionary(u => u.Code);
        var byName = units.GroupBy(u => u.Name).ToDictionary(g => g.Key, g => g.ToList());
        var reader = new WKBReader();

        var incoming = new Dictionary<string, (int Feature, Unit Unit, Geometry Geometry)>();
        var newUnits = new HashSet<string>();
        for (var i = 0; i < features.Count; i++)
        {
            var f = features[i];
            var featureNo = i + 1;
            var code = f.Attributes?.GetOptionalValue("code")?.ToString();
            var name = f.Attributes?.GetOptionalValue("name")?.ToString();
            Unit? unit = null;
            if (!string.IsNullOrEmpty(code)) unit = byCode.GetValueOrDefault(code);
            else if (!string.IsNullOrEmpty(name) && byName.TryGetValue(name, out var named))
            {
                if (named.Count == 1) unit = named[0];
                else
                {
                    problems.Add(new ImportProblem(ImportProblemKind.UnknownUnit, featureNo, null,
                        $"名称“{name}”对应 {named.Count} 个单元，请用 code 属性指明", $"The name '{name}' matches {named.Count} units: give a code property"));
                    continue;
                }
            }
            if (unit is null && NewUnitFromFeature(f, code, name) is { } created)
            {
                // A feature that carries its own level and parent (as `generate grids --out` writes) adds the unit.
                unit = created;
                newUnits.Add(created.Code);
            }
            if (unit is null)
            {
                problems.Add(new ImportProblem(ImportProblemKind.UnknownUnit, featureNo, code,
                    $"找不到要素对应的单元（code={code ?? "无"}，name={name ?? "无"}），请先导入区划",
                    $"No unit matches this feature (code={code ?? "none"}, name={name ?? "none"}): import the divisions first"));
                continue;
            }
            if (incoming.TryGetValue(unit.Code, out var earlier))
            {
                problems.Add(new ImportProblem(ImportProblemKind.DuplicateCode, featureNo, unit.Code,
                    $"同一单元出现两次（第 {earlier.Feature} 个要素已有）", $"The same unit appears twice (feature {earlier.Feature} too)"));
                continue;
            }

            var geometry = f.Geometry;
            var wantPoint = unit.Level == UnitLevel.Building;
            if (geometry is null || geometry.IsEmpty ||
                (wantPoint ? geometry is not Point : geometry is not (Polygon or MultiPolygon)))
            {
                problems.Add(new ImportProblem(ImportProblemKind.InvalidGeometry, featureNo, unit.Code,
                    $"几何类型应为{(wantPoint ? "点" : "面（Polygon/MultiPolygon）")}，实际为 {geometry?.GeometryType ?? "空"}",
                    $"Expected a {(wantPoint ? "Point" : "Polygon or MultiPolygon")}, got {geometry?.GeometryType ?? "nothing"}"));
                continue;
            }
            geometry = GeometryPrecisionReducerSafe(geometry);
            var validity = new IsValidOp(geometry).ValidationError;
            if (validity is not null)
            {
                var at = validity.Coordinate is { } c ? $" ({c.X:0.######}, {c.Y:0.######})" : "";
                var problem = new ImportProblem(ImportProblemKind.InvalidGeometry, featureNo, unit.Code,
                    $"几何无效：{validity.Message}{at}{(repair ? "，已自动修复" : "；可加 --repair 自动修复")}",
                    $"Invalid geometry: {validity.Message}{at}{(repair ? "; repaired" : "; --repair fixes it")}");
                if (!repair)
                {
                    problems.Add(problem);
                    continue;
                }
                warnings.Add(problem);
                geometry = Tessellator.Normalize(geometry);
            }
            incoming[unit.Code] = (featureNo, unit, geometry);
        }

        CheckNewUnitParents(incoming, newUnits, byCode, problems);
        // A polygon must not overlap its stored siblings either (grids often arrive a few at a time).
        var areas = incoming.Values.Where(v => v.Unit.Level != UnitLevel.Building).ToList();
        var parentCodes = areas.Select(v => v.Unit.ParentCode).ToHashSet();
        var storedSiblings = units
            .Where(u => u.Boundary is not null && u.Level != UnitLevel.Building && !incoming.ContainsKey(u.Code) && parentCodes.Contains(u.ParentCode))
            .Select(u => (Feature: 0, Unit: u, Geometry: reader.Read(u.Boundary!)))
            .ToList();
        CheckOverlaps(areas, storedSiblings, problems);
        CheckParents(incoming, byCode, reader, problems);
        CheckGaps(incoming, units, reader, warnings);

        if (problems.Count > 0 || dryRun) return new ImportReport(incoming.Count, problems, warnings, false, null);
        var writer = new WKBWriter();
        var writes = incoming.Values.Select(v => newUnits.Contains(v.Unit.Code)
            ? new UnitWrite(v.Unit.Code)
            {
                Name = v.Unit.Name, Level = v.Unit.Level, ParentCode = v.Unit.ParentCode, SetParent = true, Boundary = writer.Write(v.Geometry),
            }
            : new UnitWrite(v.Unit.Code) { Boundary = writer.Write(v.Geometry) }).ToList();
        var result = await TerritoryStore.UpsertAsync(db, writes, time, ct: ct);
        return new ImportReport(incoming.Count, problems, warnings, true, result);
    }

    private static Unit? NewUnitFromFeature(IFeature feature, string? code, string? name)
    {
        var level = feature.Attributes?.GetOptionalValue("level")?.ToString();
        var parent = feature.Attributes?.GetOptionalValue("parent_code")?.ToString();
        if (string.IsNullOrEmpty(code) || string.IsNullOrEmpty(name) || string.IsNullOrEmpty(parent) ||
            !UnitLevels.TryParse(level, out var parsed) || parsed == UnitLevel.City)
        {
            return null;
        }
        return new Unit { Code = code, Name = name, Level = parsed, ParentCode = parent };
    }

    private static void CheckNewUnitParents(Dictionary<string, (int Feature, Unit Unit, Geometry Geometry)> incoming, HashSet<string> newUnits,
        Dictionary<string, Unit> stored, List<ImportProblem> problems)
    {
        foreach (var code in newUnits)
        {
            if (!incoming.TryGetValue(code, out var item)) continue;
            var unit = item.Unit;
            UnitLevel? parentLevel = incoming.TryGetValue(unit.ParentCode!, out var p) ? p.Unit.Level
                : stored.TryGetValue(unit.ParentCode!, out var s) ? s.Level : null;
            if (parentLevel is null)
            {
                problems.Add(new ImportProblem(ImportProblemKind.UnknownParent, item.Feature, code,
                    $"上级编码 {unit.ParentCode} 不存在（文件和库中都没有）", $"Unknown parent {unit.ParentCode} (not in the file nor stored)"));
            }
            else if (parentLevel != unit.Level.ParentLevel())
            {
                problems.Add(new ImportProblem(ImportProblemKind.WrongParentLevel, item.Feature, code,
                    $"{unit.Level.ZhName()}的上级应为{unit.Level.ParentLevel()!.Value.ZhName()}，而 {unit.ParentCode} 是{parentLevel.Value.ZhName()}",
                    $"A {unit.Level.ToWire()} must hang under a {unit.Level.ParentLevel()!.Value.ToWire()}; {unit.ParentCode} is a {parentLevel.Value.ToWire()}"));
            }
        }
    }

    private static Geometry GeometryPrecisionReducerSafe(Geometry g)
    {
        // Snap to the shared precision only when that keeps the geometry valid; an invalid input is
        // reported as it is, so the user sees their own fault, not one introduced by rounding.
        var copy = Tessellator.Factory.CreateGeometry(g);
        if (!g.IsValid) return copy;
        var reduced = NetTopologySuite.Precision.GeometryPrecisionReducer.Reduce(copy, Tessellator.Precision);
        return reduced.IsValid && !reduced.IsEmpty ? reduced : copy;
    }

    /// <summary>Overlaps among the file's polygons, and between them and <paramref name="stored"/> ones (not among stored ones).</summary>
    private static void CheckOverlaps(List<(int Feature, Unit Unit, Geometry Geometry)> incoming,
        List<(int Feature, Unit Unit, Geometry Geometry)> stored, List<ImportProblem> problems)
    {
        var items = incoming.Concat(stored).ToList();
        var tree = new STRtree<int>();
        for (var i = 0; i < items.Count; i++) tree.Insert(items[i].Geometry.EnvelopeInternal, i);
        tree.Build();
        for (var i = 0; i < incoming.Count; i++)
        {
            var (feature, unit, geometry) = items[i];
            var prepared = PreparedGeometryFactory.Prepare(geometry);
            foreach (var j in tree.Query(geometry.EnvelopeInternal))
            {
                if (j <= i || items[j].Unit.Level != unit.Level) continue;
                var other = items[j].Geometry;
                if (!prepared.Intersects(other)) continue;
                var shared = OverlayNGRobust.Overlay(geometry, other, NetTopologySuite.Operation.Overlay.SpatialFunction.Intersection).Area;
                if (shared > AreaTolerance * Math.Min(geometry.Area, other.Area))
                {
                    problems.Add(new ImportProblem(ImportProblemKind.Overlap, feature, unit.Code,
                        $"与 {items[j].Unit.Code} {items[j].Unit.Name} 重叠（{Percent(shared, Math.Min(geometry.Area, other.Area))}）",
                        $"Overlaps {items[j].Unit.Code} {items[j].Unit.Name} ({Percent(shared, Math.Min(geometry.Area, other.Area))})"));
                }
            }
        }
    }

    private static void CheckParents(Dictionary<string, (int Feature, Unit Unit, Geometry Geometry)> incoming, Dictionary<string, Unit> stored,
        WKBReader reader, List<ImportProblem> problems)
    {
        var prepared = new Dictionary<string, Geometry?>();
        Geometry? ParentGeometry(string code)
        {
            if (prepared.TryGetValue(code, out var g)) return g;
            g = incoming.TryGetValue(code, out var item) ? item.Geometry
                : stored.TryGetValue(code, out var unit) && unit.Boundary is not null ? reader.Read(unit.Boundary) : null;
            prepared[code] = g;
            return g;
        }

        foreach (var (feature, unit, geometry) in incoming.Values)
        {
            if (unit.ParentCode is null || ParentGeometry(unit.ParentCode) is not { } parent) continue;
            if (unit.Level == UnitLevel.Building)
            {
                if (!parent.Covers(geometry))
                    problems.Add(new ImportProblem(ImportProblemKind.OutsideParent, feature, unit.Code,
                        $"楼栋位置不在所属网格 {unit.ParentCode} 内", $"The building lies outside its grid {unit.ParentCode}"));
                continue;
            }
            var outside = OverlayNGRobust.Overlay(geometry, parent, NetTopologySuite.Operation.Overlay.SpatialFunction.Difference).Area;
            if (outside > AreaTolerance * geometry.Area)
            {
                problems.Add(new ImportProblem(ImportProblemKind.OutsideParent, feature, unit.Code,
                    $"有 {Percent(outside, geometry.Area)} 的面积在上级 {unit.ParentCode} 之外",
                    $"{Percent(outside, geometry.Area)} of its area lies outside its parent {unit.ParentCode}"));
            }
        }
    }

    /// <summary>Where every child of a parent has a polygon, report the parent's area none of them covers (a warning: such points resolve to the nearest grid or to none).</summary>
    private static void CheckGaps(Dictionary<string, (int Feature, Unit Unit, Geometry Geometry)> incoming, List<Unit> stored, WKBReader reader,
        List<ImportProblem> warnings)
    {
        var childrenByParent = stored.Where(u => u.ParentCode is not null && u.Level != UnitLevel.Building).GroupBy(u => u.ParentCode!);
        var storedByCode = stored.ToDictionary(u => u.Code);
        foreach (var group in childrenByParent)
        {
            if (!group.Any(c => incoming.ContainsKey(c.Code))) continue;
            var geometries = new List<Geometry>();
            foreach (var child in group)
            {
                if (incoming.TryGetValue(child.Code, out var item)) geometries.Add(item.Geometry);
                else if (child.Boundary is not null) geometries.Add(reader.Read(child.Boundary));
                else { geometries.Clear(); break; }
            }
            if (geometries.Count == 0) continue;
            var parent = incoming.TryGetValue(group.Key, out var p) ? p.Geometry
                : storedByCode.TryGetValue(group.Key, out var pu) && pu.Boundary is not null ? reader.Read(pu.Boundary) : null;
            if (parent is null) continue;
            var covered = NetTopologySuite.Operation.Union.UnaryUnionOp.Union(geometries);
            var gap = OverlayNGRobust.Overlay(parent, covered, NetTopologySuite.Operation.Overlay.SpatialFunction.Difference).Area;
            if (gap > AreaTolerance * parent.Area)
            {
                warnings.Add(new ImportProblem(ImportProblemKind.Gap, null, group.Key,
                    $"下级单元未覆盖上级 {Percent(gap, parent.Area)} 的面积", $"Its children leave {Percent(gap, parent.Area)} of its area uncovered"));
            }
        }
    }

    private static string Percent(double part, double whole) => whole <= 0 ? "?" : (part / whole).ToString("P2", System.Globalization.CultureInfo.InvariantCulture);
}
