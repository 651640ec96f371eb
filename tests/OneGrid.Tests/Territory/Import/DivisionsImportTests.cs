using Microsoft.EntityFrameworkCore;
using OneGrid.Territory;
using OneGrid.Territory.Import;

namespace OneGrid.Tests.Territory.Import;

public class DivisionsImportTests
{
    internal const string Header = "code,name,level,parent_code\n";

    /// <summary>A whole branch of the tree, city to building: 7 units.</summary>
    internal const string Clean = Header +
        "3301,杭州市,city,\n" +
        "330108,滨江区,district,3301\n" +
        "330108001,西兴街道,street,330108\n" +
        "330108001001,西陵社区,community,330108001\n" +
        "330108001001001,西陵社区第1网格,grid,330108001001\n" +
        "330108001001002,西陵社区第2网格,grid,330108001001\n" +
        "330108001001001001,西陵1幢,building,330108001001001\n";

    private const int CleanUnits = 7;

    /// <summary>
    /// Imports a file with one fault among valid rows, as a dry run and for real: both must report the
    /// fault, and neither may write anything (not even the valid rows) nor bump the revision.
    /// </summary>
    private static async Task<ImportProblem> AssertRefusedAsync(TempDatabase t, string csv, ImportProblemKind kind, int line, string? code)
    {
        var units = await t.UnitCountAsync();
        var revision = await t.RevisionAsync();
        ImportProblem? found = null;
        foreach (var dryRun in new[] { true, false })
        {
            var report = await t.DivisionsAsync(csv, dryRun);
            Assert.False(report.IsClean);
            Assert.False(report.Written);
            Assert.Null(report.Result);
            found = Assert.Single(report.Problems, p => p.Kind == kind);
            Assert.Equal(line, found.Line);
            Assert.Equal(code, found.Code);
            Assert.False(string.IsNullOrWhiteSpace(found.MessageZh));
            Assert.False(string.IsNullOrWhiteSpace(found.MessageEn));
        }
        Assert.Equal(units, await t.UnitCountAsync());
        Assert.Equal(revision, await t.RevisionAsync());
        return found!;
    }

    [Fact]
    public async Task A_clean_file_is_written_in_full_and_bumps_the_revision()
    {
        await using var t = await TempDatabase.CreateAsync();
        Assert.Equal(0, await t.RevisionAsync());

        var report = await t.DivisionsAsync(Clean);

        Assert.True(report.IsClean);
        Assert.True(report.Written);
        Assert.Equal(CleanUnits, report.Units);
        Assert.Equal(new UpsertResult(CleanUnits, 0, 1), report.Result);
        Assert.Equal(1, await t.RevisionAsync());
        var grid = await t.Db.Units.AsNoTracking().SingleAsync(u => u.Code == "330108001001002");
        Assert.Equal("西陵社区第2网格", grid.Name);
        Assert.Equal(UnitLevel.Grid, grid.Level);
        Assert.Equal("330108001001", grid.ParentCode);
        Assert.Null(grid.Boundary);
        Assert.Null((await t.Db.Units.AsNoTracking().SingleAsync(u => u.Code == "3301")).ParentCode);
    }

    [Fact]
    public async Task A_dry_run_of_a_clean_file_reports_nothing_and_writes_nothing()
    {
        await using var t = await TempDatabase.CreateAsync();

        var report = await t.DivisionsAsync(Clean, dryRun: true);

        Assert.True(report.IsClean);
        Assert.Empty(report.Warnings);
        Assert.Equal(CleanUnits, report.Units);
        Assert.False(report.Written);
        Assert.Null(report.Result);
        Assert.Equal(0, await t.UnitCountAsync());
        Assert.Equal(0, await t.RevisionAsync());
    }

    [Fact]
    public async Task Importing_the_same_file_again_updates_rather_than_duplicates()
    {
        await using var t = await TempDatabase.CreateAsync();
        await t.SeedAsync(Clean);

        var renamed = Clean.Replace("西兴街道", "西兴街道（新）");
        var report = await t.DivisionsAsync(renamed);

        Assert.True(report.Written);
        Assert.Equal(new UpsertResult(0, CleanUnits, 2), report.Result);
        Assert.Equal(CleanUnits, await t.UnitCountAsync());
        Assert.Equal(2, await t.RevisionAsync());
        Assert.Equal("西兴街道（新）", (await t.Db.Units.AsNoTracking().SingleAsync(u => u.Code == "330108001")).Name);
    }

    [Fact]
    public async Task A_parent_stored_by_an_earlier_import_is_accepted()
    {
        await using var t = await TempDatabase.CreateAsync();
        await t.SeedAsync(Header + "3301,杭州市,city,\n330108,滨江区,district,3301\n");

        var report = await t.DivisionsAsync(Header + "330108002,长河街道,street,330108\n");

        Assert.True(report.IsClean, string.Join("; ", report.Problems));
        Assert.Equal(3, await t.UnitCountAsync());
    }

    [Fact]
    public async Task The_shipped_Hangzhou_divisions_import_cleanly()
    {
        await using var t = await TempDatabase.CreateAsync();
        using var csv = new StreamReader(OneGrid.Kernel.ReferenceData.Open(OneGrid.Kernel.ReferenceData.Divisions));

        var report = await t.Importer.ImportDivisionsAsync(csv, dryRun: false);

        Assert.True(report.IsClean, string.Join("; ", report.Problems.Take(5)));
        var rows = DivisionsCsv.Hangzhou().Count;
        Assert.Equal(rows, report.Result!.Created);
        Assert.Equal(rows, await t.UnitCountAsync());
    }

    [Fact]
    public async Task Quoted_fields_a_byte_order_mark_blank_lines_and_name_en_are_read()
    {
        await using var t = await TempDatabase.CreateAsync();
        var csv = "\uFEFFCode,Name,Level,Parent_Code,Name_En\r\n" +
                  "3301,杭州市,city,,Hangzhou\r\n" +
                  "\r\n" +
                  "330108,\"滨江区,\"\"高新\"\"\",district,3301,\"Binjiang, Hi-tech\"\r\n";

        var report = await t.DivisionsAsync(csv);

        Assert.True(report.IsClean, string.Join("; ", report.Problems));
        var district = await t.Db.Units.AsNoTracking().SingleAsync(u => u.Code == "330108");
        Assert.Equal("滨江区,\"高新\"", district.Name);
        Assert.Equal("Binjiang, Hi-tech", district.NameEn);
        Assert.Equal("3301", district.ParentCode);
    }

    [Fact]
    public async Task A_bad_header_is_refused()
    {
        await using var t = await TempDatabase.CreateAsync();
        await AssertRefusedAsync(t, Clean.Replace("parent_code", "parent"), ImportProblemKind.Format, 1, null);
    }

    [Fact]
    public async Task An_empty_file_is_refused()
    {
        await using var t = await TempDatabase.CreateAsync();
        await AssertRefusedAsync(t, "", ImportProblemKind.Format, 1, null);
    }

    [Fact]
    public async Task An_invalid_level_is_refused()
    {
        await using var t = await TempDatabase.CreateAsync();
        await AssertRefusedAsync(t, Clean + "330108002,长河街道,town,330108\n", ImportProblemKind.Format, 9, "330108002");
    }

    [Fact]
    public async Task An_invalid_code_is_refused()
    {
        await using var t = await TempDatabase.CreateAsync();
        await AssertRefusedAsync(t, Clean + "330108-002,长河街道,street,330108\n", ImportProblemKind.Format, 9, "330108-002");
    }

    [Fact]
    public async Task A_duplicate_code_is_refused_on_its_second_line()
    {
        await using var t = await TempDatabase.CreateAsync();
        var problem = await AssertRefusedAsync(t, Clean + "330108001,长河街道,street,330108\n", ImportProblemKind.DuplicateCode, 9, "330108001");
        Assert.Contains("line 4", problem.MessageEn); // points at the first occurrence
    }

    [Fact]
    public async Task An_unknown_parent_is_refused()
    {
        await using var t = await TempDatabase.CreateAsync();
        await AssertRefusedAsync(t, Clean + "330199001,某街道,street,330199\n", ImportProblemKind.UnknownParent, 9, "330199001");
    }

    [Fact]
    public async Task A_unit_below_the_city_without_a_parent_is_refused()
    {
        await using var t = await TempDatabase.CreateAsync();
        await AssertRefusedAsync(t, Clean + "330108002,长河街道,street,\n", ImportProblemKind.UnknownParent, 9, "330108002");
    }

    [Fact]
    public async Task A_grid_under_a_street_is_refused()
    {
        await using var t = await TempDatabase.CreateAsync();
        await AssertRefusedAsync(t, Clean + "330108001999,错挂网格,grid,330108001\n", ImportProblemKind.WrongParentLevel, 9, "330108001999");
    }

    [Fact]
    public async Task A_grid_under_a_stored_street_is_refused()
    {
        await using var t = await TempDatabase.CreateAsync();
        await t.SeedAsync(Clean);
        await AssertRefusedAsync(t, Header + "330108001999,错挂网格,grid,330108001\n", ImportProblemKind.WrongParentLevel, 2, "330108001999");
    }

    [Fact]
    public async Task A_city_with_a_parent_is_refused()
    {
        await using var t = await TempDatabase.CreateAsync();
        await AssertRefusedAsync(t, Clean + "3302,宁波市,city,3301\n", ImportProblemKind.WrongParentLevel, 9, "3302");
    }
}
