using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Territory.Import;

namespace OneGrid.Inspections;

/// <summary>One clean line of a targets file, placed in its grid.</summary>
public sealed record TargetRow(int Line, string Code, string Name, string KindCode, string? Address, double Lon, double Lat,
    string? ContactName, string? ContactPhone, Resolution Place);

/// <summary>What an import found and, when the file was clean and it was not a dry run, what it wrote.</summary>
public sealed record TargetImportReport(int Rows, IReadOnlyList<ImportProblem> Problems, int Created, int Updated, int Unchanged, bool Written)
{
    public bool IsClean => Problems.Count == 0;
}

/// <summary>
/// Imports inspection targets from CSV (<c>code,name,kind,address,lon,lat,contact_name,contact_phone</c>) with the territory's
/// discipline: every problem names its line, nothing is written unless the whole file is clean, and re-importing updates by
/// code. A point is resolved to its grid as a report's is (within the boundary tolerance); outside the territory it is refused.
/// </summary>
public sealed class TargetImporter(OneGridDbContext db, TimeProvider time)
{
    public static readonly string[] Columns = ["code", "name", "kind", "address", "lon", "lat", "contact_name", "contact_phone"];

    /// <param name="territory">The territory's index when the caller has it already; otherwise loaded from the database.</param>
    public async Task<TargetImportReport> ImportAsync(TextReader reader, bool dryRun, CancellationToken ct, TerritoryIndex? territory = null)
    {
        var kinds = await db.TargetKinds.AsNoTracking().Where(k => k.Active).ToListAsync(ct);
        territory ??= (await TerritoryIndexHolder.LoadAsync(db, ct)).Index;
        var (rows, problems) = Parse(reader, kinds, territory);
        if (problems.Count > 0 || dryRun) return new TargetImportReport(rows.Count, problems, 0, 0, 0, false);

        var now = time.GetUtcNow();
        int created = 0, updated = 0, unchanged = 0;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var chunk in rows.Chunk(500))
        {
            var codes = chunk.Select(r => r.Code).ToList();
            var existing = await db.InspectionTargets.Where(t => codes.Contains(t.Code)).ToDictionaryAsync(t => t.Code, StringComparer.Ordinal, ct);
            foreach (var row in chunk)
            {
                if (!existing.TryGetValue(row.Code, out var target))
                {
                    target = new InspectionTarget
                    {
                        Code = row.Code, Name = row.Name, KindCode = row.KindCode, GridCode = "", CommunityCode = "", StreetCode = "", DistrictCode = "",
                        CreatedAt = now,
                    };
                    db.InspectionTargets.Add(target);
                    created++;
                }
                if (Apply(target, row))
                {
                    target.UpdatedAt = now;
                    if (target.Id != 0) updated++;
                }
                else
                {
                    unchanged++;
                }
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
        await tx.CommitAsync(ct);
        return new TargetImportReport(rows.Count, problems, created, updated, unchanged, true);
    }

    /// <summary>Copies the row onto the target; true when anything changed.</summary>
    private static bool Apply(InspectionTarget t, TargetRow row)
    {
        var before = (t.Name, t.KindCode, t.Address, t.Lon, t.Lat, t.GridCode, t.ContactName, t.ContactPhone);
        t.Name = row.Name;
        t.KindCode = row.KindCode;
        t.Address = row.Address;
        t.Lon = row.Lon;
        t.Lat = row.Lat;
        t.ContactName = row.ContactName;
        t.ContactPhone = row.ContactPhone;
        var path = row.Place.Path;
        t.GridCode = row.Place.Grid.Code;
        t.CommunityCode = At(path, UnitLevel.Community);
        t.StreetCode = At(path, UnitLevel.Street);
        t.DistrictCode = At(path, UnitLevel.District);
        return t.Id == 0 || before != (t.Name, t.KindCode, t.Address, t.Lon, t.Lat, t.GridCode, t.ContactName, t.ContactPhone);
    }

    private static string At(IReadOnlyList<UnitRef> path, UnitLevel level) => path.FirstOrDefault(u => u.Level == level)?.Code ?? "";

    /// <summary>Reads and checks the whole file; the rows are placed, the problems name their lines.</summary>
    public static (List<TargetRow> Rows, List<ImportProblem> Problems) Parse(TextReader reader, IReadOnlyList<TargetKind> kinds, TerritoryIndex territory)
    {
        var rows = new List<TargetRow>();
        var problems = new List<ImportProblem>();
        var header = reader.ReadLine();
        if (header is null)
        {
            problems.Add(new ImportProblem(ImportProblemKind.Format, 1, null, "文件为空", "The file is empty"));
            return (rows, problems);
        }
        var names = DivisionsCsv.SplitLine(header.TrimStart('\uFEFF')).Select(c => c.Trim().ToLowerInvariant()).ToList();
        var missing = Columns.Where(c => !names.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            problems.Add(new ImportProblem(ImportProblemKind.Format, 1, null,
                $"表头缺少列：{string.Join(",", missing)}（应为 {string.Join(",", Columns)}）",
                $"The header lacks the columns {string.Join(",", missing)} (expected {string.Join(",", Columns)})"));
            return (rows, problems);
        }
        var index = Columns.ToDictionary(c => c, c => names.IndexOf(c));
        var byKind = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var k in kinds)
        {
            byKind[k.Code] = k.Code;
            byKind[k.NameZh] = k.Code;
            if (k.NameEn is { } en) byKind[en] = k.Code;
        }
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);

        var lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var f = DivisionsCsv.SplitLine(line);
            string Field(string column) => index[column] < f.Count ? f[index[column]].Trim() : "";
            var code = Field("code");
            void Problem(ImportProblemKind kind, string zh, string en) => problems.Add(new ImportProblem(kind, lineNo, code.Length == 0 ? null : code, zh, en));

            if (code.Length is 0 or > 64 || !code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                Problem(ImportProblemKind.Format, $"编码“{code}”无效（字母、数字、- _ .，最长 64 位）", $"Invalid code '{code}' (letters, digits, - _ ., at most 64)");
                continue;
            }
            if (firstLine.TryGetValue(code, out var first))
            {
                Problem(ImportProblemKind.DuplicateCode, $"编码“{code}”与第 {first} 行重复", $"Code '{code}' repeats line {first}");
                continue;
            }
            firstLine[code] = lineNo;
            var name = Field("name");
            if (name.Length is 0 or > 200)
            {
                Problem(ImportProblemKind.Format, "名称为空或超过 200 字", "The name is empty or longer than 200 characters");
                continue;
            }
            var kindText = Field("kind");
            if (!byKind.TryGetValue(kindText, out var kind))
            {
                Problem(ImportProblemKind.UnknownKind, $"类型“{kindText}”不存在（可用：{string.Join("、", kinds.Select(k => k.NameZh))}）",
                    $"Unknown kind '{kindText}' (known: {string.Join(", ", kinds.Select(k => k.Code))})");
                continue;
            }
            var address = Field("address");
            if (address.Length > 500)
            {
                Problem(ImportProblemKind.Format, "地址超过 500 字", "The address is longer than 500 characters");
                continue;
            }
            if (!Coordinate(Field("lon"), -180, 180, out var lon) || !Coordinate(Field("lat"), -90, 90, out var lat))
            {
                Problem(ImportProblemKind.Format, $"经纬度“{Field("lon")},{Field("lat")}”无效", $"Invalid coordinates '{Field("lon")},{Field("lat")}'");
                continue;
            }
            var contactName = Field("contact_name");
            var phone = Field("contact_phone");
            if (contactName.Length > 100)
            {
                Problem(ImportProblemKind.Format, "联系人姓名超过 100 字", "The contact name is longer than 100 characters");
                continue;
            }
            if (phone.Length > 0 && (phone.Length is < 5 or > 32 || !phone.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or ' ')))
            {
                Problem(ImportProblemKind.Format, $"联系电话“{phone}”无效", $"Invalid contact phone '{phone}'");
                continue;
            }
            if (territory.Resolve(lon, lat) is not { } place)
            {
                Problem(ImportProblemKind.OutsideTerritory, $"位置 {lon.ToString(CultureInfo.InvariantCulture)},{lat.ToString(CultureInfo.InvariantCulture)} 不在任何网格内",
                    $"The point {lon.ToString(CultureInfo.InvariantCulture)},{lat.ToString(CultureInfo.InvariantCulture)} is in no grid of the territory");
                continue;
            }
            rows.Add(new TargetRow(lineNo, code, name, kind, address.Length == 0 ? null : address, lon, lat,
                contactName.Length == 0 ? null : contactName, phone.Length == 0 ? null : phone, place));
        }
        return (rows, problems);
    }

    private static bool Coordinate(string text, double min, double max, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value >= min && value <= max;
}
