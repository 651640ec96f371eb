namespace OneGrid.Catalog;

/// <summary>
/// An immutable in-memory copy of the catalog, departments and rules at one revision, indexed for the
/// report intake hot path. The entities in it are detached and must not be changed.
/// </summary>
public sealed class CatalogSnapshot
{
    private readonly Dictionary<string, Platform> _platforms;
    private readonly Dictionary<string, CategoryClass> _classes;
    private readonly Dictionary<string, CategoryType> _types;
    private readonly Dictionary<string, DepartmentKind> _kinds;
    private readonly Dictionary<string, Department> _departments;
    private readonly Dictionary<(string Kind, string UnitCode), Department> _departmentByKindAndUnit;
    private readonly Dictionary<string, RoutingRule[]> _rulesByUnit;
    private readonly (string Keyword, CategoryType Type)[] _keywords;

    public long Revision { get; }
    public IReadOnlyList<Platform> Platforms { get; }
    public IReadOnlyList<CategoryClass> Classes { get; }
    public IReadOnlyList<CategoryType> Types { get; }
    public IReadOnlyList<DepartmentKind> Kinds { get; }
    public IReadOnlyList<Department> Departments { get; }
    public IReadOnlyList<RoutingRule> Rules { get; }

    public static CatalogSnapshot Empty { get; } = new(0, [], [], [], [], [], []);

    public CatalogSnapshot(long revision, IEnumerable<Platform> platforms, IEnumerable<CategoryClass> classes,
        IEnumerable<CategoryType> types, IEnumerable<DepartmentKind> kinds, IEnumerable<Department> departments,
        IEnumerable<RoutingRule> rules)
    {
        Revision = revision;
        Platforms = platforms.OrderBy(p => p.SortOrder).ThenBy(p => p.Code, StringComparer.Ordinal).ToList();
        Classes = classes.OrderBy(c => c.Code, StringComparer.Ordinal).ToList();
        Types = types.OrderBy(t => t.Code, StringComparer.Ordinal).ToList();
        Kinds = kinds.OrderBy(k => k.SortOrder).ThenBy(k => k.Code, StringComparer.Ordinal).ToList();
        Departments = departments.OrderBy(d => d.UnitCode, StringComparer.Ordinal).ThenBy(d => d.Code, StringComparer.Ordinal).ToList();
        Rules = rules.OrderBy(r => r.Id).ToList();

        _platforms = Platforms.ToDictionary(p => p.Code, StringComparer.Ordinal);
        _classes = Classes.ToDictionary(c => c.Code, StringComparer.Ordinal);
        _types = Types.ToDictionary(t => t.Code, StringComparer.Ordinal);
        _kinds = Kinds.ToDictionary(k => k.Code, StringComparer.Ordinal);
        _departments = Departments.ToDictionary(d => d.Code, StringComparer.Ordinal);
        // Several departments of one kind serving one unit is a data fault; the lowest code wins, stably.
        _departmentByKindAndUnit = Departments.GroupBy(d => (d.Kind, d.UnitCode))
            .ToDictionary(g => g.Key, g => g.First());
        _rulesByUnit = Rules.GroupBy(r => r.UnitCode, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g
                .OrderByDescending(r => r.Priority)
                .ThenByDescending(r => r.CategorySpecificity)
                .ThenBy(r => r.Id)
                .ToArray(), StringComparer.Ordinal);
        _keywords = Types.Where(t => t.Active)
            .SelectMany(t => t.Keywords.Append(t.Name).Append(t.NameEn ?? "")
                .Select(k => k.Trim().ToLowerInvariant())
                .Where(k => k.Length > 0)
                .Distinct()
                .Select(k => (k, t)))
            .ToArray();
    }

    public Platform? FindPlatform(string code) => _platforms.GetValueOrDefault(code);
    public CategoryClass? FindClass(string code) => _classes.GetValueOrDefault(code);
    public CategoryType? FindType(string code) => _types.GetValueOrDefault(code);
    public DepartmentKind? FindKind(string code) => _kinds.GetValueOrDefault(code);
    public Department? FindDepartment(string code) => _departments.GetValueOrDefault(code);

    /// <summary>
    /// The department of a kind serving a district: one registered on the district itself, else on the
    /// nearest unit above it (a city-wide gas company). Street-level teams are reached only by rules.
    /// </summary>
    public Department? DepartmentServing(string kind, string districtCode)
    {
        for (var length = districtCode.Length; length > 0; length--)
        {
            if (_departmentByKindAndUnit.TryGetValue((kind, districtCode[..length]), out var department)) return department;
        }
        return null;
    }

    /// <summary>
    /// The rule that overrides a category's department at a grid: rules scoped to the most specific unit
    /// containing the grid first, then the highest priority, then the most specific category match.
    /// </summary>
    public RoutingRule? MatchRule(CategoryType type, string gridCode)
    {
        for (var length = gridCode.Length; length > 0; length--)
        {
            if (!_rulesByUnit.TryGetValue(gridCode[..length], out var rules)) continue;
            foreach (var rule in rules)
            {
                if (rule.Matches(type) && _departments.ContainsKey(rule.DepartmentCode)) return rule;
            }
        }
        return null;
    }

    /// <summary>
    /// The active category whose keywords (and names) best cover the description: the most matched
    /// characters, then the longest single match, then the lowest code. Null when nothing matches.
    /// </summary>
    public CategorySuggestion? Suggest(string? description)
    {
        if (string.IsNullOrWhiteSpace(description)) return null;
        var text = description.ToLowerInvariant();
        Dictionary<string, (int Score, int Longest, List<string> Matched)>? scores = null;
        foreach (var (keyword, type) in _keywords)
        {
            if (!text.Contains(keyword, StringComparison.Ordinal)) continue;
            scores ??= new(StringComparer.Ordinal);
            if (!scores.TryGetValue(type.Code, out var s)) s = (0, 0, []);
            s.Matched.Add(keyword);
            scores[type.Code] = (s.Score + keyword.Length, Math.Max(s.Longest, keyword.Length), s.Matched);
        }
        if (scores is null) return null;
        var best = scores
            .OrderByDescending(kv => kv.Value.Score)
            .ThenByDescending(kv => kv.Value.Longest)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .First();
        return new CategorySuggestion(_types[best.Key], best.Value.Matched.OrderByDescending(k => k.Length).ToList());
    }
}

public sealed record CategorySuggestion(CategoryType Type, IReadOnlyList<string> MatchedKeywords);
