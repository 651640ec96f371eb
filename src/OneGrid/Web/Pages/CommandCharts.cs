using OneGrid.CommandCentre;

namespace OneGrid.Web.Pages;

/// <summary>ECharts options for the command centre's charts, built from a <see cref="CommandSnapshot"/> (titles come localised from the page).</summary>
public static class CommandCharts
{
    private static readonly string[] Palette = ["#c8102e", "#1565c0", "#00897b", "#ef6c00", "#6a1b9a", "#7cb342", "#5d6d7e", "#f9a825", "#ad1457", "#00838f"];

    private static readonly Dictionary<string, string> StateColours = new()
    {
        ["Reported"] = "#ef6c00", ["Registered"] = "#1565c0", ["Dispatched"] = "#6a1b9a", ["InProgress"] = "#00897b",
        ["Handled"] = "#7cb342", ["Closed"] = "#2e7d32", ["Rejected"] = "#757575",
    };

    private static object Grid(int left = 8) => new { left, right = 16, top = 16, bottom = 8, containLabel = true };

    public static object States(IReadOnlyList<CountItem> items) => new
    {
        animation = false,
        tooltip = new { trigger = "axis" },
        grid = Grid(),
        xAxis = new { type = "category", data = items.Select(i => i.Name), axisLabel = new { interval = 0 } },
        yAxis = new { type = "value", minInterval = 1 },
        series = new[]
        {
            new
            {
                type = "bar",
                data = items.Select(i => new { value = i.Count, itemStyle = new { color = StateColours.GetValueOrDefault(i.Code, "#5d6d7e") } }),
                label = new { show = true, position = "top" },
            },
        },
    };

    /// <summary>Horizontal bars, largest on top (categories, units).</summary>
    public static object Ranking(IReadOnlyList<CountItem> items, string colour) => new
    {
        animation = false,
        tooltip = new { trigger = "axis" },
        grid = Grid(),
        xAxis = new { type = "value", minInterval = 1 },
        yAxis = new { type = "category", inverse = true, data = items.Select(i => i.Name), axisLabel = new { width = 110, overflow = "truncate" } },
        series = new[] { new { type = "bar", data = items.Select(i => i.Count), itemStyle = new { color = colour }, label = new { show = true, position = "right" } } },
    };

    public static object Platforms(IReadOnlyList<CountItem> items) => new
    {
        animation = false,
        color = Palette,
        tooltip = new { trigger = "item", formatter = "{b}: {c} ({d}%)" },
        legend = new { bottom = 0, type = "scroll" },
        series = new[]
        {
            new
            {
                type = "pie",
                radius = new[] { "40%", "68%" },
                center = new[] { "50%", "45%" },
                data = items.Select(i => new { name = i.Name, value = i.Count }),
                label = new { formatter = "{b}\n{c}" },
            },
        },
    };

    public static object Trend(IReadOnlyList<TrendPoint> points, string reported, string closed) => new
    {
        animation = false,
        tooltip = new { trigger = "axis" },
        legend = new { top = 0, data = new[] { reported, closed } },
        grid = new { left = 8, right = 16, top = 32, bottom = 8, containLabel = true },
        xAxis = new { type = "category", boundaryGap = false, data = points.Select(p => p.Day.ToString("MM-dd")) },
        yAxis = new { type = "value", minInterval = 1 },
        series = new object[]
        {
            new { name = reported, type = "line", smooth = true, data = points.Select(p => p.Reported), itemStyle = new { color = "#c8102e" }, areaStyle = new { opacity = 0.08 } },
            new { name = closed, type = "line", smooth = true, data = points.Select(p => p.Closed), itemStyle = new { color = "#2e7d32" }, areaStyle = new { opacity = 0.08 } },
        },
    };
}
