using System.Globalization;
using OneGrid.Calendar;
using OneGrid.Catalog;
using OneGrid.Territory;

namespace OneGrid.Tests.Catalog;

/// <summary>Routing (条抓块统) over the default catalog with Binjiang's demo departments and rules.</summary>
public class CaseRoutingTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    // A grid in 长河街道 (which has its own enforcement team) and one in 西兴街道 (which has not).
    private static readonly Resolution Changhe = Place("330108002", "长河街道", "330108002001", "天官社区");
    private static readonly Resolution Xixing = Place("330108001", "西兴街道", "330108001001", "西陵社区");

    private static Resolution Place(string street, string streetName, string community, string communityName) => new(
    [
        new UnitRef("330108", "滨江区", UnitLevel.District, "3301"),
        new UnitRef(street, streetName, UnitLevel.Street, "330108"),
        new UnitRef(community, communityName, UnitLevel.Community, street),
        new UnitRef(community + "003", communityName + "第3网格", UnitLevel.Grid, community),
    ], false, null);

    /// <summary>The demo catalog as a snapshot, after letting a test change the data the way an administrator would.</summary>
    private static CatalogSnapshot Catalog(Action<CatalogData>? edit = null)
    {
        var defaults = DefaultCatalog.Load();
        var data = new CatalogData(defaults.ToPlatforms(Now).ToList(), defaults.ToClasses(Now).ToList(), defaults.ToTypes(Now).ToList(),
            defaults.ToDepartmentKinds(Now).ToList(), DemoCatalog.Departments(defaults, Now).ToList(),
            DemoCatalog.Rules(Now).Select((r, i) => { r.Id = i + 1; return r; }).ToList());
        edit?.Invoke(data);
        return new CatalogSnapshot(1, data.Platforms, data.Classes, data.Types, data.Kinds, data.Departments, data.Rules);
    }

    private sealed record CatalogData(List<Platform> Platforms, List<CategoryClass> Classes, List<CategoryType> Types,
        List<DepartmentKind> Kinds, List<Department> Departments, List<RoutingRule> Rules)
    {
        public CategoryType Type(string code) => Types.Single(t => t.Code == code);
    }

    private static RouteProposal Route(CatalogSnapshot catalog, string? category, Resolution place, string description = "") =>
        CaseRouting.Propose(catalog, category, description, place) ?? throw new Xunit.Sdk.XunitException("no route");

    [Theory]
    [InlineData("0102", "zhzf", "330108-CG", 4, TimeLimitKind.WorkingHours)]
    [InlineData("0403", "zz", "330108-RQ", 1, TimeLimitKind.NaturalHours)]
    [InlineData("1201", "scjg", "330108-SCJG", 8, TimeLimitKind.WorkingHours)]
    [InlineData("1302", "zz", "330108-RQ", 8, TimeLimitKind.WorkingHours)]
    [InlineData("1402", "bmfw", "330108-MZ", 40, TimeLimitKind.WorkingHours)]
    [InlineData("0501", "zhzf", "330108-CG", 4, TimeLimitKind.WorkingHours)]
    [InlineData("0901", "zhzf", "330108-CG", 80, TimeLimitKind.WorkingHours)]
    public void A_category_goes_to_its_default_department_of_the_district(string code, string platform, string department,
        double hours, TimeLimitKind kind)
    {
        var route = Route(Catalog(), code, Xixing);
        Assert.Equal((code, false, platform, department), (route.CategoryCode, route.CategorySuggested, route.PlatformCode, route.DepartmentCode));
        Assert.Equal((TimeSpan.FromHours(hours), kind), (route.HandlingLimit, route.LimitKind));
        Assert.Equal(("330108001001", "330108001", "330108"), (route.CommunityCode, route.StreetCode, route.DistrictCode));
    }

    [Fact]
    public void Residents_requests_go_to_the_grids_own_community()
    {
        var route = Route(Catalog(), "1406", Changhe);
        Assert.Equal(("330108002001", "天官社区"), (route.DepartmentCode, route.DepartmentName));
        Assert.Equal("规则：1406 居民其他诉求 → 天官社区（类别默认由所在社区办理）", route.Explanation);
    }

    [Theory]
    [InlineData("0501")]
    [InlineData("0503")]
    [InlineData("0901")]
    public void The_street_team_takes_street_order_and_illegal_building_inside_Changhe_only(string code)
    {
        var catalog = Catalog();
        Assert.Equal("330108002-ZHZF", Route(catalog, code, Changhe).DepartmentCode);
        Assert.NotEqual("330108002-ZHZF", Route(catalog, code, Xixing).DepartmentCode);
    }

    [Theory]
    [InlineData("0102")]
    [InlineData("0902")]
    [InlineData("1201")]
    public void Other_categories_in_Changhe_keep_their_default(string code)
    {
        var catalog = Catalog();
        Assert.Equal(Route(catalog, code, Xixing).DepartmentCode, Route(catalog, code, Changhe).DepartmentCode);
    }

    [Fact]
    public void The_explanation_names_the_rule_in_Chinese_by_default_and_in_English_when_asked()
    {
        var catalog = Catalog();
        Assert.Equal("规则：0102 暴露垃圾 → 滨江区城管局（类别默认部门）", Route(catalog, "0102", Changhe).Explanation);
        Assert.Equal("规则：0501 占道经营 → 长河街道综合执法队（长河街道规则：街面秩序类由长河街道综合执法队处置）",
            Route(catalog, "0501", Changhe).Explanation);

        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo("en");
        try
        {
            var route = Route(catalog, "0102", Changhe);
            Assert.Equal("Rule: 0102 Exposed garbage → Binjiang Urban Management Bureau (default for category)", route.Explanation);
            Assert.Equal(("Exposed garbage", "Comprehensive law enforcement"), (route.CategoryName, route.PlatformName));
            Assert.StartsWith("Rule: 0501 Street vending on the roadway → Changhe Subdistrict Law Enforcement Team (rule of 长河街道: ",
                Route(catalog, "0501", Changhe).Explanation);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    [Theory]
    [InlineData("小区门口的垃圾桶满了，垃圾散落一地", "0102")]
    [InlineData("楼道里闻到很重的燃气味，可能漏气了", "0403")]
    [InlineData("楼道里堆着液化气钢瓶", "1302")]
    [InlineData("垃圾箱坏了", "0606")]
    [InlineData("楼下邻居半夜装修", "1101")]
    [InlineData("饭店后厨食品过期", "1201")]
    [InlineData("There is a strong smell of gas in the stairwell", "0403")]
    public void Without_a_category_one_is_suggested_from_the_description(string description, string expected)
    {
        var route = Route(Catalog(), null, Xixing, description);
        Assert.Equal(expected, route.CategoryCode);
        Assert.True(route.CategorySuggested);
        Assert.NotNull(route.DepartmentCode);
        Assert.Contains("据描述关键词", route.Explanation);
    }

    [Fact]
    public void A_suggestion_in_Changhe_follows_the_street_rule_and_says_both()
    {
        var route = Route(Catalog(), "", Changhe, "路口有流动摊贩摆摊");
        Assert.Equal(("0501", true, "330108002-ZHZF"), (route.CategoryCode, route.CategorySuggested, route.DepartmentCode));
        Assert.Equal("规则：0501 占道经营（据描述关键词“流动摊贩”、“摆摊”建议） → 长河街道综合执法队（长河街道规则：街面秩序类由长河街道综合执法队处置）",
            route.Explanation);
    }

    [Fact]
    public void No_keyword_means_no_category_but_still_the_owning_units()
    {
        var route = Route(Catalog(), null, Xixing, "今天天气不错");
        Assert.Null(route.CategoryCode);
        Assert.False(route.CategorySuggested);
        Assert.Null(route.DepartmentCode);
        Assert.Null(route.HandlingLimit);
        Assert.Equal(("330108001001", "330108001", "330108"), (route.CommunityCode, route.StreetCode, route.DistrictCode));
        Assert.Equal("未能从描述判断类别，需人工分类", route.Explanation);
    }

    [Fact]
    public void An_unknown_or_retired_category_code_has_no_route()
    {
        Assert.Null(CaseRouting.Propose(Catalog(), "9999", "垃圾", Xixing));
        Assert.Null(CaseRouting.Propose(Catalog(d => d.Type("0102").Active = false), "0102", "", Xixing));
        // A retired category is not suggested either.
        var route = Route(Catalog(d => d.Type("0102").Active = false), null, Xixing, "暴露垃圾");
        Assert.NotEqual("0102", route.CategoryCode);
    }

    [Fact]
    public void Renaming_a_platform_and_re_mapping_a_category_are_data_changes()
    {
        var catalog = Catalog(d =>
        {
            d.Platforms.Single(p => p.Code == "zz").Name = "平安法治";
            d.Platforms.Add(new Platform { Code = "ggfw", Name = "公共服务", NameEn = "Public services", SortOrder = 5 });
            d.Type("1201").PlatformCode = "ggfw";
            d.Type("0102").DepartmentKind = "hb";
        });
        Assert.Equal(("zz", "平安法治"), (Route(catalog, "0403", Xixing).PlatformCode, Route(catalog, "0403", Xixing).PlatformName));
        Assert.Equal(("ggfw", "公共服务"), (Route(catalog, "1201", Xixing).PlatformCode, Route(catalog, "1201", Xixing).PlatformName));
        Assert.Equal("330108-HB", Route(catalog, "0102", Xixing).DepartmentCode);
    }

    [Fact]
    public void A_rule_by_platform_follows_a_category_re_mapped_onto_that_platform()
    {
        var catalog = Catalog(d =>
        {
            d.Rules.Add(new RoutingRule
            {
                Id = 10, PlatformCode = "bmfw", UnitCode = "330108001", DepartmentCode = "330108-MZ", Description = "西兴便民服务统一由民政受理",
            });
            d.Type("1101").PlatformCode = "bmfw";
        });
        Assert.Equal("330108-MZ", Route(catalog, "1101", Xixing).DepartmentCode);
        Assert.Equal("330108-MZ", Route(catalog, "1405", Xixing).DepartmentCode);
        Assert.Equal("330108002001", Route(catalog, "1101", Changhe).DepartmentCode); // outside the rule's scope
        Assert.Equal("330108-SCJG", Route(catalog, "1201", Xixing).DepartmentCode); // another platform
    }

    [Fact]
    public void The_most_specific_territory_wins_then_priority_then_the_most_specific_category()
    {
        var catalog = Catalog(d =>
        {
            d.Departments.Add(new Department { Code = "T-COMMUNITY", Name = "天官社区巡查队", Kind = "cg", UnitCode = "330108002001" });
            d.Departments.Add(new Department { Code = "T-HIGH", Name = "高优先级队", Kind = "cg", UnitCode = "330108002" });
            d.Departments.Add(new Department { Code = "T-TYPE", Name = "按小类队", Kind = "cg", UnitCode = "330108002" });
            // Street level, class 05, priority 0: the demo rule. Higher priority at the same street:
            d.Rules.Add(new RoutingRule { Id = 11, CategoryPrefix = "0502", UnitCode = "330108002", DepartmentCode = "T-HIGH", Priority = 5, Description = "高" });
            // Same street and priority as the demo rule but for one type: more specific.
            d.Rules.Add(new RoutingRule { Id = 12, CategoryPrefix = "0505", UnitCode = "330108002", DepartmentCode = "T-TYPE", Description = "小类" });
            // Community level beats any street rule, whatever its priority.
            d.Rules.Add(new RoutingRule { Id = 13, CategoryPrefix = "05", UnitCode = "330108002001", DepartmentCode = "T-COMMUNITY", Priority = -5, Description = "社区" });
        });
        var elsewhereInChanghe = Place("330108002", "长河街道", "330108002005", "另一社区");
        Assert.Equal("T-COMMUNITY", Route(catalog, "0502", Changhe).DepartmentCode);
        Assert.Equal("T-HIGH", Route(catalog, "0502", elsewhereInChanghe).DepartmentCode);
        Assert.Equal("T-TYPE", Route(catalog, "0505", elsewhereInChanghe).DepartmentCode);
        Assert.Equal("330108002-ZHZF", Route(catalog, "0501", elsewhereInChanghe).DepartmentCode);
    }

    [Fact]
    public void A_city_wide_department_serves_a_district_without_its_own()
    {
        var catalog = Catalog(d =>
        {
            d.Departments.RemoveAll(x => x.Code == "330108-RQ");
            d.Departments.Add(new Department { Code = "3301-RQ", Name = "杭州市燃气集团", Kind = "rq", UnitCode = "3301" });
        });
        Assert.Equal("3301-RQ", Route(catalog, "0403", Xixing).DepartmentCode);
    }

    [Fact]
    public void With_no_department_of_the_kind_the_route_says_so()
    {
        var route = Route(Catalog(d => d.Departments.RemoveAll(x => x.Kind == "scjg")), "1201", Xixing);
        Assert.Null(route.DepartmentCode);
        Assert.Equal(("1201", "scjg"), (route.CategoryCode, route.PlatformCode));
        Assert.Equal("规则：1201 食品安全 → 未找到服务滨江区的市场监管部门，需人工指定", route.Explanation);
    }
}
