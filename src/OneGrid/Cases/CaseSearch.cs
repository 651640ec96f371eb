using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OneGrid.Persistence;

namespace OneGrid.Cases;

/// <summary>
/// How one request's text query is answered, decided by <see cref="CaseSearch.PrepareAsync"/> before the list query is built.
/// </summary>
/// <param name="Postgres">Which database the query goes to.</param>
/// <param name="Candidates">
/// SQLite: every case the text indexes (and the number index) name for the query, when there are at most
/// <see cref="CaseSearch.MaxCandidates"/>; null when there are more, and the list walks its own order checking each row.
/// </param>
/// <param name="AfterId">One-character queries look only at cases with a larger id (the newest <see cref="CaseSearch.RecentWindow"/>).</param>
/// <param name="TrigramsWork">PostgreSQL: whether pg_trgm makes trigrams of Chinese text in this database (its LC_CTYPE).</param>
public sealed record CaseSearchPlan(bool Postgres, IReadOnlyList<long>? Candidates, long? AfterId, bool TrigramsWork);

/// <summary>
/// Text search for the case list's <c>q</c>: descriptions and addresses by substring (Chinese: <c>井盖</c>), case numbers by prefix.
/// Indexed for two characters or more on both databases (the indexes: <see cref="CaseSearchSql"/>); every match is checked on
/// the case's own text, so an index only ever proposes candidates and the answer is exact. Scope and the other filters stay
/// in the same query: the list never holds a case out of the caller's reach.
/// </summary>
/// <remarks>
/// SQLite's planner knows nothing of how many cases a word matches, and either order of work is ruinous in one case: reading
/// every match of a common word (垃圾, hundreds of thousands) to sort them, or walking the list to find a rare one. So the
/// text index is asked first, for at most <see cref="MaxCandidates"/> ids: if the word is that rare, the list reads exactly
/// those cases; if not, it is common enough that the list's own order (newest first through its indexes) meets matches soon,
/// and each row is checked as it is read. PostgreSQL keeps statistics on the index expressions and makes this choice itself.
/// </remarks>
public static class CaseSearch
{
    /// <summary>Above this many candidates a word counts as common (SQLite). Reading this many cases by id is the dearest rare search.</summary>
    public const int MaxCandidates = 10_000;

    /// <summary>A one-character query is no use to an index (every other case holds 路); it looks at this many newest cases.</summary>
    public const int RecentWindow = 100_000;

    /// <summary>A long query is matched on its first trigrams through the index and on the whole text row by row.</summary>
    private const int MaxTrigrams = 24;

    /// <summary>The plan for a query, or null when the filter has none.</summary>
    public static async Task<CaseSearchPlan?> PlanAsync(OneGridDbContext db, string? q, CancellationToken ct, int maxCandidates = MaxCandidates)
    {
        if (string.IsNullOrWhiteSpace(q)) return null;
        var text = q.Trim();
        var postgres = db.Database.IsNpgsql();
        long? afterId = null;
        if (Runes(text).Count == 1)
        {
            var newest = await db.Cases.MaxAsync(c => (long?)c.Id, ct) ?? 0;
            afterId = newest - RecentWindow;
        }
        if (postgres) return new(true, null, afterId, await TrigramsWorkAsync(db, ct));
        if (afterId is not null) return new(false, null, afterId, false);

        var ids = new HashSet<long>();
        if (SqliteMatch(text) is { } match)
        {
            // The newest cases may not be in the tables yet (CaseSearchIndexer adds them a moment after they commit): they are
            // read by their own text, a short range of the primary key, so a report is found the moment it is received. The mark
            // is read before the tables: a case the indexer takes meanwhile is then in the tables or above the mark, never neither.
            var mark = await db.Database.SqlQueryRaw<long>($"SELECT indexed_through AS \"Value\" FROM {CaseSearchSql.Sqlite.ProgressTable}")
                .SingleAsync(ct);
            var table = match.Pairs ? "case_search_pairs" : "case_search";
            // Table names cannot be parameters; both are constants above.
#pragma warning disable EF1002
            var hits = await db.Database.SqlQueryRaw<long>($"SELECT rowid AS \"Value\" FROM {table} WHERE {table} MATCH {{0}} LIMIT {{1}}",
                match.Query, maxCandidates + 1).ToListAsync(ct);
#pragma warning restore EF1002
            ids.UnionWith(hits);
            var pattern = "%" + EscapeLike(text) + "%";
            ids.UnionWith(await db.Cases.Where(c => c.Id > mark &&
                    (EF.Functions.Like(c.Description, pattern, "\\") || (c.Address != null && EF.Functions.Like(c.Address, pattern, "\\"))))
                .Select(c => c.Id).Take(maxCandidates + 1).ToListAsync(ct));
        }
        else
        {
            // No token an index holds (a pair of punctuation marks): only the rows themselves can answer.
            return new(false, null, null, false);
        }
        if (NumberRange(text) is var (low, high))
        {
            ids.UnionWith(await db.Cases.Where(c => string.Compare(c.Number, low) >= 0 && string.Compare(c.Number, high) < 0)
                .Select(c => c.Id).Take(maxCandidates + 1).ToListAsync(ct));
        }
        return new(false, ids.Count <= maxCandidates ? ids.ToList() : null, null, false);
    }

    /// <summary>The cases whose description or address contains <paramref name="q"/>, or whose number starts with it.</summary>
    public static IQueryable<Case> Where(IQueryable<Case> query, string q, CaseSearchPlan? plan)
    {
        var text = q.Trim();
        var length = Runes(text).Count;
        var pattern = "%" + EscapeLike(text) + "%";
        if (plan?.AfterId is { } after) query = query.Where(c => c.Id > after);
        Expression<Func<Case, bool>> matches;
        if (plan is { Postgres: true })
        {
            // Two characters: the pair index. ILIKE alongside is cheap and checked first on each row, so a walk through a common
            // word computes the pairs of a row (a function call, not free) only for rows that hold it. Longer: ILIKE, which pg_trgm
            // serves, with the pairs beside it where the database's locale gives pg_trgm no Chinese trigrams. One: ILIKE.
            if (length == 2 || (length > 2 && !plan.TrigramsWork)) matches = c => HasPairs(c.Description, c.Address, text) && EF.Functions.ILike(Text(c.Description, c.Address), pattern, "\\");
            else matches = c => EF.Functions.ILike(Text(c.Description, c.Address), pattern, "\\");
        }
        else
        {
            // SQLite, or a caller that did not prepare the search: the row's own text, LIKE being ASCII case-insensitive as the FTS
            // tokenizers are (they fold other scripts too; the row has the last word, so both plans agree).
            matches = c => EF.Functions.Like(c.Description, pattern, "\\") || (c.Address != null && EF.Functions.Like(c.Address, pattern, "\\"));
        }
        if (NumberRange(text) is var (low, high))
        {
            // StartsWith keeps the range exact under a linguistic collation, which may order numbers differently from their bytes.
            Expression<Func<Case, bool>> number = plan is { Postgres: true }
                ? c => string.Compare(c.Number, low) >= 0 && string.Compare(c.Number, high) < 0 && c.Number.StartsWith(low)
                : c => string.Compare(c.Number, low) >= 0 && string.Compare(c.Number, high) < 0;
            matches = Workflows.WorkflowQueries.Or(matches, number);
        }
        query = query.Where(matches);
        if (plan is { Postgres: false, Candidates: { } candidates })
        {
            // One array parameter (json_each), whatever the count, so the statement stays the same for every query.
            query = query.Where(c => EF.Parameter(candidates).Contains(c.Id));
        }
        return query;
    }

    /// <summary>PostgreSQL: <c>onegrid_case_text(description, address)</c>, the text both search indexes are built on.</summary>
    public static string Text(string description, string? address) => throw new InvalidOperationException("Only translated to SQL.");

    /// <summary>PostgreSQL: whether the case's text holds every two-character substring of the query (the pair index).</summary>
    public static bool HasPairs(string description, string? address, string query) => throw new InvalidOperationException("Only translated to SQL.");

    /// <summary>Maps <see cref="Text"/> and <see cref="HasPairs"/> to the functions <see cref="CaseSearchSql.Postgres"/> creates.</summary>
    public static void MapFunctions(ModelBuilder model)
    {
        model.HasDbFunction(typeof(CaseSearch).GetMethod(nameof(Text))!).HasName("onegrid_case_text");
        model.HasDbFunction(typeof(CaseSearch).GetMethod(nameof(HasPairs))!).HasName("onegrid_case_has_pairs");
    }

    /// <summary>
    /// The FTS5 query for a text, every token quoted so nothing in it is an operator (<c>AND</c>, <c>NEAR(</c>, <c>*</c>, <c>"</c>):
    /// three characters or more, the trigrams it contains, all required; two, the pair as one word of the pair table.
    /// Null when the text gives no token.
    /// </summary>
    internal static (string Query, bool Pairs)? SqliteMatch(string text)
    {
        var runes = Runes(text);
        if (runes.Count >= 3)
        {
            var trigrams = new List<string>();
            for (var i = 0; i + 3 <= runes.Count; i++) trigrams.Add(string.Concat(runes.GetRange(i, 3)));
            var distinct = trigrams.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (distinct.Count > MaxTrigrams)
            {
                // Spread over the whole query rather than its start, so the candidates are as few as the query allows.
                distinct = Enumerable.Range(0, MaxTrigrams).Select(i => distinct[i * (distinct.Count - 1) / (MaxTrigrams - 1)]).Distinct().ToList();
            }
            return (string.Join(" AND ", distinct.Select(Quote)), false);
        }
        if (runes.Count == 2 && runes.Any(IsTokenCharacter)) return (Quote(string.Concat(runes)), true);
        return null;
    }

    /// <summary>A query that looks like a case number (<c>BJ-20261124-000123</c>, or its start) as a range of the unique number index.</summary>
    internal static (string Low, string High)? NumberRange(string text)
    {
        if (text.Length is < 2 or > 32 || !text.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-') || !text.Any(char.IsAsciiDigit)) return null;
        var low = text.ToUpperInvariant();
        return (low, low[..^1] + (char)(low[^1] + 1));
    }

    private static string Quote(string token) => "\"" + token.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static List<string> Runes(string text) => text.EnumerateRunes().Select(r => r.ToString()).ToList();

    /// <summary>What unicode61 keeps as part of a word: letters, numbers, private use.</summary>
    private static bool IsTokenCharacter(string rune) => Rune.GetUnicodeCategory(Rune.GetRuneAt(rune, 0)) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
            or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
            or UnicodeCategory.PrivateUse => true,
        _ => false,
    };

    private static readonly ConcurrentDictionary<string, bool> TrigramSupport = new();

    /// <summary>Asked once per database: pg_trgm's trigrams depend on the database's LC_CTYPE, fixed when it was created.</summary>
    private static async Task<bool> TrigramsWorkAsync(OneGridDbContext db, CancellationToken ct)
    {
        var key = db.Database.GetConnectionString() ?? "";
        if (TrigramSupport.TryGetValue(key, out var known)) return known;
        var count = await db.Database.SqlQueryRaw<int>("SELECT cardinality(show_trgm('井盖坏')) AS \"Value\"").SingleAsync(ct);
        return TrigramSupport[key] = count > 0;
    }
}
