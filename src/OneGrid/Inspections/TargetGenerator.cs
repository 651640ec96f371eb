using System.Globalization;
using System.Text;
using NetTopologySuite.IO;
using OneGrid.Territory;

namespace OneGrid.Inspections;

/// <summary>
/// A realistic set of targets for trials (<c>generate targets</c>): shop-like names, addresses on the grid's street, a
/// responsible person and a mobile number, each at a point inside one of the scope's grids — written as the import's CSV,
/// so a generated set goes through the same checks as a real one.
/// </summary>
public static class TargetGenerator
{
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"];
    private static readonly string[] Given = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "国强", "晓东"];
    private static readonly string[] Shops = ["面馆", "小吃店", "餐厅", "饭店", "快餐店", "烧烤店", "火锅店", "早餐店", "茶餐厅", "酒楼", "馄饨店", "包子铺"];
    private static readonly string[] Venues = ["便利店", "理发店", "网吧", "小旅馆", "洗浴店", "棋牌室", "小诊所", "培训班", "五金店"];

    /// <summary>The CSV of <paramref name="count"/> targets of <paramref name="kind"/> in the grids under <paramref name="scope"/>.</summary>
    public static string Csv(IReadOnlyList<Unit> units, TerritoryIndex territory, TargetKind kind, int count, string scope, int seed)
    {
        var reader = new WKBReader();
        var grids = units.Where(u => u.Level == UnitLevel.Grid && u.Boundary is not null && territory.PathOf(u.Code).Any(p => p.Code == scope))
            .Select(u => (u.Code, Shape: reader.Read(u.Boundary!), Street: territory.PathOf(u.Code).FirstOrDefault(p => p.Level == UnitLevel.Street)?.Name ?? ""))
            .Where(g => !g.Shape.IsEmpty)
            .Select(g => (g.Code, g.Shape.EnvelopeInternal, g.Shape.InteriorPoint.Coordinate, g.Street))
            .ToList();
        if (grids.Count == 0) throw new ArgumentException($"No grid with a boundary lies under {scope}.", nameof(scope));
        var rng = new Random(seed);
        var prefix = kind.Code.ToUpperInvariant().Replace("-", "", StringComparison.Ordinal);
        var csv = new StringBuilder(string.Join(",", TargetImporter.Columns)).Append('\n');
        for (var i = 1; i <= count; i++)
        {
            var (code, envelope, interior, street) = grids[rng.Next(grids.Count)];
            var (lon, lat) = territory.PointIn(code, envelope, interior, rng);
            var owner = Surnames[rng.Next(Surnames.Length)];
            var name = kind.Code switch
            {
                "rental" => $"{street}{rng.Next(1, 300)}号出租屋",
                "small-venue" => $"{owner}记{Venues[rng.Next(Venues.Length)]}",
                _ => $"{owner}记{Shops[rng.Next(Shops.Length)]}",
            };
            var contact = owner + Given[rng.Next(Given.Length)];
            var phone = "1" + "3578"[rng.Next(4)] + rng.Next(0, 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"{prefix}{i:D6},{name},{kind.NameZh},{street}{rng.Next(1, 500)}号,")
                .Append(CultureInfo.InvariantCulture, $"{lon:0.000000},{lat:0.000000},{contact},{phone}\n");
        }
        return csv.ToString();
    }
}
