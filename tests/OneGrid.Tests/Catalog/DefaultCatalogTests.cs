using OneGrid.Calendar;
using OneGrid.Catalog;

namespace OneGrid.Tests.Catalog;

/// <summary>The default catalog shipped in the binary is complete and consistent.</summary>
public class DefaultCatalogTests
{
    private static readonly DefaultCatalog Defaults = DefaultCatalog.Load();
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;
    private static readonly List<CategoryType> Types = Defaults.ToTypes(Now).ToList();

    [Fact]
    public void The_four_platforms_of_141_are_there_in_order()
    {
        Assert.Equal(new[] { ("zz", "综治工作"), ("scjg", "市场监管"), ("zhzf", "综合执法"), ("bmfw", "便民服务") },
            Defaults.ToPlatforms(Now).OrderBy(p => p.SortOrder).Select(p => (p.Code, p.Name)).ToArray());
    }

    [Fact]
    public void At_least_40_types_with_unique_well_formed_codes_under_their_class()
    {
        Assert.True(Types.Count >= 40, $"only {Types.Count} types");
        Assert.Equal(Types.Count, Types.Select(t => t.Code).Distinct().Count());
        Assert.All(Types, t =>
        {
            Assert.True(CategoryType.IsValidCode(t.Code), t.Code);
            Assert.Equal(t.ClassCode, CategoryType.ClassOf(t.Code));
            Assert.False(string.IsNullOrWhiteSpace(t.Name));
            Assert.False(string.IsNullOrWhiteSpace(t.NameEn));
            Assert.InRange(t.HandlingLimitHours, 0.25, CatalogAdminEndpoints.MaxLimitHours);
            Assert.NotEmpty(t.Keywords);
        });
        var classes = Defaults.ToClasses(Now).Select(c => c.Code).ToList();
        Assert.Equal(classes.Count, classes.Distinct().Count());
        Assert.All(classes, c => Assert.Matches("^[0-9]{2}$", c));
    }

    [Theory]
    // The national event classes of digital urban management, the public-facility components, and the 141 matters.
    [InlineData("市容环境")]
    [InlineData("宣传广告")]
    [InlineData("施工管理")]
    [InlineData("突发事件")]
    [InlineData("街面秩序")]
    [InlineData("公用设施")]
    [InlineData("道路交通")]
    [InlineData("园林绿化")]
    [InlineData("违法建设")]
    [InlineData("社会治安")]
    [InlineData("矛盾纠纷")]
    [InlineData("市场监管")]
    [InlineData("安全隐患")]
    [InlineData("便民服务")]
    public void Every_class_the_design_names_is_present_with_types(string name)
    {
        var @class = Assert.Single(Defaults.Classes, c => c.Name == name);
        Assert.NotEmpty(@class.Types);
    }

    [Theory]
    [InlineData("食品安全", "scjg", "scjg")]
    [InlineData("无证无照经营", "scjg", "scjg")]
    [InlineData("违法建筑", "zhzf", "cg")]
    [InlineData("消防安全隐患", "zz", "xf")]
    [InlineData("燃气安全隐患", "zz", "rq")]
    [InlineData("治安隐患", "zz", "ga")]
    [InlineData("邻里纠纷", "zz", "sq")]
    [InlineData("困难救助", "bmfw", "mz")]
    [InlineData("居民其他诉求", "bmfw", "sq")]
    public void The_141_matters_sit_on_their_platform_with_their_department(string name, string platform, string kind)
    {
        var type = Assert.Single(Types, t => t.Name == name);
        Assert.Equal(platform, type.PlatformCode);
        Assert.Equal(kind, type.DepartmentKind);
    }

    [Fact]
    public void Every_type_names_an_existing_platform_and_department_kind()
    {
        var platforms = Defaults.Platforms.Select(p => p.Code).ToHashSet();
        var kinds = Defaults.DepartmentKinds.Select(k => k.Code).ToHashSet();
        Assert.All(Types, t =>
        {
            Assert.Contains(t.PlatformCode, platforms);
            Assert.Contains(t.DepartmentKind, kinds);
        });
        // The kinds the issue lists for a district's departments.
        Assert.All(new[] { "cg", "scjg", "zj", "yjgl", "ga", "mz", "hb", "sw", "rq", "jt", "yl", "sq" }, k => Assert.Contains(k, kinds));
        // Every platform has categories; no kind is dead weight.
        Assert.All(platforms, p => Assert.Contains(Types, t => t.PlatformCode == p));
        Assert.All(kinds, k => Assert.Contains(Types, t => t.DepartmentKind == k));
    }

    [Theory]
    [InlineData("0102", "暴露垃圾", 4, TimeLimitKind.WorkingHours)]
    [InlineData("0403", "燃气泄漏", 1, TimeLimitKind.NaturalHours)]
    [InlineData("0901", "违法建筑", 80, TimeLimitKind.WorkingHours)]
    [InlineData("0501", "占道经营", 4, TimeLimitKind.WorkingHours)]
    public void Limits_are_as_the_standards_set_them(string code, string name, double hours, TimeLimitKind kind)
    {
        var type = Assert.Single(Types, t => t.Code == code);
        Assert.Equal(name, type.Name);
        Assert.Equal(hours, type.HandlingLimitHours);
        Assert.Equal(kind, type.LimitKind);
    }

    [Fact]
    public void Emergencies_run_on_the_clock()
    {
        Assert.All(Types.Where(t => t.ClassCode == "04"), t => Assert.Equal(TimeLimitKind.NaturalHours, t.LimitKind));
    }

    [Fact]
    public void A_description_that_is_a_category_name_suggests_that_category()
    {
        var catalog = new CatalogSnapshot(1, Defaults.ToPlatforms(Now), Defaults.ToClasses(Now), Types,
            Defaults.ToDepartmentKinds(Now), [], []);
        Assert.All(Types, t => Assert.Equal(t.Code, catalog.Suggest(t.Name)?.Type.Code));
    }

    [Fact]
    public void Demo_departments_cover_every_kind_but_the_community_and_keep_the_codes_others_rely_on()
    {
        var departments = DemoCatalog.Departments(Defaults, Now).ToList();
        var kinds = Defaults.DepartmentKinds.Where(k => !k.HandledByCommunity).Select(k => k.Code).ToList();
        Assert.Equal(kinds.Order(), departments.Where(d => d.UnitCode == "330108").Select(d => d.Kind).Order());
        var cg = Assert.Single(departments, d => d.Code == "330108-CG"); // the access module's demo handler works here
        Assert.Equal("滨江区城管局", cg.Name);
        var team = Assert.Single(departments, d => d.Code == "330108002-ZHZF");
        Assert.Equal(("长河街道综合执法队", "330108002"), (team.Name, team.UnitCode));
        Assert.All(DemoCatalog.Rules(Now), r => Assert.Equal("330108002-ZHZF", r.DepartmentCode));
    }
}
