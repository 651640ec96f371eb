using NetTopologySuite.Geometries;
using OneGrid.Territory;
using OneGrid.Territory.Generation;
using OneGrid.Territory.Import;

namespace OneGrid.Tests.Territory.Generation;

public class TerritoryGeneratorTests
{
    private static List<GeneratedUnit> Units => Binjiang.Generated;

    private static List<GeneratedUnit> At(UnitLevel level) => Units.Where(u => u.Level == level).ToList();

    [Fact]
    public void Binjiang_has_its_real_streets_and_communities()
    {
        var divisions = DivisionsCsv.Hangzhou();
        var streetCodes = divisions.Where(d => d.ParentCode == Binjiang.Code).Select(d => d.Code).ToHashSet();
        var communityCodes = divisions.Where(d => d.ParentCode is { } p && streetCodes.Contains(p)).Select(d => d.Code).ToHashSet();

        var district = Assert.Single(At(UnitLevel.District));
        Assert.Equal(Binjiang.Code, district.Code);
        Assert.Equal("滨江区", district.Name);
        Assert.NotNull(district.Boundary);

        // Exactly the shipped divisions under 330108, which the seed documents say are 3 and 67.
        Assert.Equal(streetCodes.Order(), At(UnitLevel.Street).Select(s => s.Code).Order());
        Assert.Equal(communityCodes.Order(), At(UnitLevel.Community).Select(c => c.Code).Order());
        Assert.Equal(3, streetCodes.Count);
        Assert.Equal(67, communityCodes.Count);

        // Names and parents come from the divisions too.
        var byCode = divisions.ToDictionary(d => d.Code);
        foreach (var u in Units.Where(u => u.Level is UnitLevel.Street or UnitLevel.Community))
        {
            Assert.Equal(byCode[u.Code].Name, u.Name);
            Assert.Equal(byCode[u.Code].ParentCode, u.ParentCode);
        }
    }

    [Fact]
    public void The_city_above_the_district_is_included_without_a_polygon()
    {
        var city = Assert.Single(At(UnitLevel.City));
        Assert.Equal("3301", city.Code);
        Assert.Null(city.Boundary);
        Assert.Equal("3301", Assert.Single(At(UnitLevel.District)).ParentCode);
        // Every unit's parent is in the result, so the tree is whole.
        var codes = Units.Select(u => u.Code).ToHashSet();
        Assert.All(Units.Where(u => u.ParentCode is not null), u => Assert.Contains(u.ParentCode!, codes));
        Assert.Equal(codes.Count, Units.Count);
    }

    [Fact]
    public void Every_community_has_8_to_12_grids_coded_after_it()
    {
        var grids = At(UnitLevel.Grid);
        foreach (var community in At(UnitLevel.Community))
        {
            var mine = grids.Where(g => g.ParentCode == community.Code).ToList();
            Assert.InRange(mine.Count, 8, 12);
            // GB/T 30428: community code (12 digits) + 3-digit serial, numbered from 001.
            Assert.Equal(Enumerable.Range(1, mine.Count).Select(i => community.Code + i.ToString("D3")), mine.Select(g => g.Code));
        }
        Assert.All(grids, g =>
        {
            Assert.Equal(15, g.Code.Length);
            Assert.True(g.Code.All(char.IsAsciiDigit), g.Code);
        });
    }

    [Fact]
    public void Grid_counts_follow_the_options()
    {
        var options = new GenerationOptions { MinGridsPerCommunity = 2, MaxGridsPerCommunity = 3 };
        var units = Binjiang.Generate(options);
        var perCommunity = units.Where(u => u.Level == UnitLevel.Grid).GroupBy(g => g.ParentCode).Select(g => g.Count()).ToList();
        Assert.Equal(67, perCommunity.Count);
        Assert.All(perCommunity, n => Assert.InRange(n, 2, 3));
        // Both ends of the range occur among 67 communities (a range that is never used is a bug, e.g. an exclusive max).
        Assert.Contains(2, perCommunity);
        Assert.Contains(3, perCommunity);
    }

    // Each level is tessellated inside the (snapped) polygon of the level above, so a child's edge may
    // bend off its parent's by under one precision unit (1e-7°, ~1 cm) where a new vertex is snapped.
    // Measured on Binjiang: at most 6e-8° outside, i.e. ≤ 3e-5 of a grid's area. The tests hold the
    // output to that 1 cm, and to far less than the importer's 0.1% tolerance.

    [Theory]
    [InlineData(UnitLevel.Street, UnitLevel.District)]
    [InlineData(UnitLevel.Community, UnitLevel.Street)]
    [InlineData(UnitLevel.Grid, UnitLevel.Community)]
    public void Children_lie_inside_and_cover_their_parent(UnitLevel childLevel, UnitLevel parentLevel)
    {
        var parents = At(parentLevel).ToDictionary(p => p.Code, p => p.Boundary!);
        var families = At(childLevel).GroupBy(c => c.ParentCode!).ToList();
        Assert.Equal(parents.Keys.Order(), families.Select(f => f.Key).Order());
        foreach (var family in families)
        {
            var parent = parents[family.Key];
            var grownParent = parent.Buffer(Geo.PrecisionUnit);
            var children = family.Select(c => c.Boundary!).ToList();
            foreach (var child in children)
            {
                Assert.True(child.IsValid && !child.IsEmpty);
                Assert.True(grownParent.Covers(child), $"a child of {family.Key} reaches more than 1 cm outside it");
                var outside = Geo.Difference(child, parent);
                Assert.True(outside < 1e-4 * child.Area, $"{outside / child.Area:P6} of a child of {family.Key} lies outside it");
            }
            var union = Geo.Union(children);
            Assert.True(union.Buffer(Geo.PrecisionUnit).Covers(parent), $"the children of {family.Key} leave more than 1 cm uncovered");
            var uncovered = Geo.Difference(parent, union);
            Assert.True(uncovered < 1e-4 * parent.Area, $"{uncovered / parent.Area:P6} of {family.Key} is not covered by its children");
        }
    }

    [Fact]
    public void Grids_do_not_overlap_one_another()
    {
        var grids = At(UnitLevel.Grid);
        var tree = new NetTopologySuite.Index.Strtree.STRtree<int>();
        for (var i = 0; i < grids.Count; i++) tree.Insert(grids[i].Boundary!.EnvelopeInternal, i);
        tree.Build();
        for (var i = 0; i < grids.Count; i++)
        {
            var a = grids[i].Boundary!;
            foreach (var j in tree.Query(a.EnvelopeInternal).Where(j => j > i))
            {
                var b = grids[j].Boundary!;
                var shared = a.Intersection(b);
                if (grids[i].ParentCode == grids[j].ParentCode)
                {
                    // Siblings come from one split and share their edges exactly.
                    Assert.Equal(0, shared.Area);
                }
                else
                {
                    // Grids of neighbouring communities may meet in slivers under 1 cm wide, never more.
                    Assert.True(shared.Buffer(-Geo.PrecisionUnit).IsEmpty, $"{grids[i].Code} overlaps {grids[j].Code}");
                    Assert.True(shared.Area < 1e-4 * Math.Min(a.Area, b.Area), $"{grids[i].Code} overlaps {grids[j].Code}");
                }
            }
        }
    }

    [Fact]
    public void Buildings_are_points_inside_their_grid()
    {
        var units = Binjiang.Generate(new GenerationOptions { BuildingsPerGrid = 3 });
        var grids = units.Where(u => u.Level == UnitLevel.Grid).ToDictionary(g => g.Code);
        var buildings = units.Where(u => u.Level == UnitLevel.Building).ToList();

        Assert.Equal(3 * grids.Count, buildings.Count);
        foreach (var b in buildings)
        {
            var point = Assert.IsType<Point>(b.Boundary);
            Assert.Equal(18, b.Code.Length);
            Assert.True(b.Code.All(char.IsAsciiDigit), b.Code);
            Assert.StartsWith(b.ParentCode!, b.Code);
            Assert.True(grids[b.ParentCode!].Boundary!.Contains(point), $"{b.Code} is not inside its grid");
        }
        Assert.Equal(buildings.Count, buildings.Select(b => b.Code).Distinct().Count());
    }

    [Fact]
    public void Buildings_are_not_generated_by_default()
    {
        Assert.DoesNotContain(Units, u => u.Level == UnitLevel.Building);
    }

    [Fact]
    public void Same_seed_gives_the_same_territory_and_another_seed_another()
    {
        static List<string> Snapshot(List<GeneratedUnit> units) =>
            units.Select(u => $"{u.Code}|{u.Name}|{u.Level}|{u.ParentCode}|{u.Boundary?.AsText()}").ToList();

        var again = Binjiang.Generate(new GenerationOptions());
        Assert.Equal(Snapshot(Units), Snapshot(again));

        var reseeded = Binjiang.Generate(new GenerationOptions { Seed = 2 });
        Assert.NotEqual(
            Units.Where(u => u.Level == UnitLevel.Grid).Select(u => u.Boundary!.AsText()),
            reseeded.Where(u => u.Level == UnitLevel.Grid).Select(u => u.Boundary!.AsText()));
    }

    [Fact]
    public void A_city_scope_shares_out_the_redivided_districts_and_keeps_the_others()
    {
        // Only the city and its districts: the city path is what differs from a district scope
        // (every shipped outline, 建德's self-crossing one included, is repaired and unioned).
        var divisions = DivisionsCsv.Hangzhou().Where(d => d.Level <= UnitLevel.District).ToList();
        var outlines = TerritoryGenerator.HangzhouOutlines();

        var units = TerritoryGenerator.Generate(divisions, outlines, "3301", new GenerationOptions());

        var districts = units.Where(u => u.Level == UnitLevel.District).ToList();
        Assert.Equal(divisions.Where(d => d.Level == UnitLevel.District).Select(d => d.Code).Order(), districts.Select(d => d.Code).Order());
        Assert.All(districts, d => Assert.True(d.Boundary is { IsValid: true, IsEmpty: false }, d.Code));
        // Districts whose borders held since 2017 keep their own outline.
        foreach (var (code, name) in new[] { ("330106", "西湖"), ("330108", "滨江"), ("330182", "建德") })
        {
            Assert.True(districts.Single(d => d.Code == code).Boundary!.EqualsExact(Tessellator.Normalize(outlines[name])), name);
        }
        // Together they make up the city, which is the union of all 2017 outlines, without overlapping.
        var city = Assert.Single(units, u => u.Level == UnitLevel.City).Boundary!;
        var all = Geo.Union(outlines.Values.Select(Tessellator.Normalize));
        Assert.Equal(all.Area, city.Area, all.Area * 1e-9);
        Assert.Equal(city.Area, districts.Sum(d => d.Boundary!.Area), city.Area * 1e-9);
        Assert.True(Geo.LargestPairwiseOverlap(districts.Select(d => d.Boundary!).ToList()) < 1e-9 * city.Area);
    }

    [Fact]
    public void A_street_or_unknown_scope_is_refused()
    {
        var divisions = DivisionsCsv.Hangzhou();
        var outlines = TerritoryGenerator.HangzhouOutlines();
        Assert.Throws<ArgumentException>(() => TerritoryGenerator.Generate(divisions, outlines, "330108001", new GenerationOptions()));
        Assert.Throws<ArgumentException>(() => TerritoryGenerator.Generate(divisions, outlines, "999999", new GenerationOptions()));
    }

    [Fact]
    public void The_shipped_divisions_hold_all_of_Hangzhou()
    {
        // SOURCES.md: 1 city, 13 districts, 196 streets, 3,320 communities, each under a unit of the level above.
        var divisions = DivisionsCsv.Hangzhou();
        var counts = divisions.GroupBy(d => d.Level).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(1, counts[UnitLevel.City]);
        Assert.Equal(13, counts[UnitLevel.District]);
        Assert.Equal(196, counts[UnitLevel.Street]);
        Assert.Equal(3320, counts[UnitLevel.Community]);
        var levels = divisions.ToDictionary(d => d.Code, d => d.Level);
        Assert.All(divisions.Where(d => d.Level != UnitLevel.City), d => Assert.Equal(d.Level.ParentLevel(), levels[d.ParentCode!]));
    }
}
