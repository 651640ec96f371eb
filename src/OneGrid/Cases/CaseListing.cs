using System.Buffers.Text;
using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGrid.Kernel;

namespace OneGrid.Cases;

/// <summary>
/// One page of cases, or the 400 problem naming the bad parameter. <see cref="Total"/> is exact up to
/// <see cref="CaseListing.CountLimit"/>; above it <see cref="TotalAtLeast"/> is set and the total is that limit.
/// </summary>
public sealed record CaseListPage(IReadOnlyList<Case> Items, int Page, int PageSize, int Total, bool TotalAtLeast = false,
    string? NextCursor = null, string? PreviousCursor = null, ProblemHttpResult? Problem = null);

/// <summary>
/// Filtering, sorting and paging of case lists: one implementation for GET /cases, GET /inbox and the
/// inbox page, so the API and the UI list the same cases in the same order.
/// </summary>
/// <remarks>
/// Pages are keyset pages: a cursor names the last (or first) case shown, and the next page is read from there through
/// an index in the sort's order, so page 1,000 costs what page 1 costs. The caller's scope arrives as branches
/// (<see cref="CaseQueries.VisibleBranches"/>): each is read in order up to one page and the pages merged, which is the
/// first page of their union. A total counts at most <see cref="CountLimit"/> rows.
/// </remarks>
public static class CaseListing
{
    public static readonly IReadOnlyList<string> Sorts = ["reported", "-reported", "due", "-updated", "number"];

    /// <summary>Totals are counted up to this many cases; above it a list says "10,000+".</summary>
    public const int CountLimit = 10_000;

    /// <summary>
    /// A text search's total is counted up to this many: counting checks the text of each case the count walks, and a
    /// common word (井盖, in 3 % of cases) would have it walk a third of a million cases to reach 10,000.
    /// </summary>
    public const int SearchCountLimit = 1_000;

    /// <summary>How far <c>page</c> may reach by offset; further pages are reached by cursor.</summary>
    public const int MaxOffset = 10_000;

    public static async Task<CaseListPage> PageAsync(IQueryable<Case> source, IReadOnlyList<Expression<Func<Case, bool>>> branches, CaseFilter filter,
        string? sort, int? page, int? pageSize, string? cursor, CancellationToken ct)
    {
        var (p, size, bad) = Paging.Normalize(page, pageSize);
        if (bad is not null) return Refused(p, size, Problems.InvalidField(bad, $"分页参数 {bad} 无效", $"Invalid '{bad}'"));
        if (filter.Apply(source) is null) return Refused(p, size, filter.Problem!);
        var sortKey = sort ?? "-reported";
        if (!Orders.TryGetValue(sortKey, out var order))
        {
            return Refused(p, size, Problems.InvalidField("sort", "排序方式应为 reported、-reported、due、-updated 或 number", "sort must be reported, -reported, due, -updated or number"));
        }
        Position? from = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            from = Position.Decode(cursor);
            if (from is null || from.Segment < 0 || from.Segment >= order.Segments.Count || !order.Segments[from.Segment].Accepts(from))
            {
                return Refused(p, size, Problems.InvalidField("cursor", "分页游标无效", "The cursor is not valid"));
            }
            if (from.Sort != sortKey)
            {
                return Refused(p, size, Problems.InvalidField("cursor", "分页游标属于另一种排序，请从第一页开始", "The cursor belongs to another sort; start from the first page"));
            }
        }
        else if ((long)(p - 1) * size > MaxOffset)
        {
            return Refused(p, size, Problems.InvalidField("page", $"按页码最多翻到第 {MaxOffset} 条，更远请用 cursor", $"page reaches at most {MaxOffset} cases; use the cursor beyond"));
        }

        var queries = branches.Select(b => filter.Apply(source.Where(b))!).ToList();
        var (total, atLeast) = await CountAsync(queries, CountLimitFor(filter), ct);

        if (from is { Forward: false })
        {
            var before = await ReadAsync(queries, order, from, forward: false, size + 1, ct);
            var morePrevious = before.Count > size;
            var items = before.Take(size).Reverse().ToList();
            return new(items.Select(r => r.Case).ToList(), p, size, total, atLeast,
                items.Count == 0 ? null : order.CursorAt(items[^1], forward: true),
                morePrevious ? order.CursorAt(items[0], forward: false) : null);
        }

        var skip = from is null ? (p - 1) * size : 0;
        var rows = await ReadAsync(queries, order, from, forward: true, skip + size + 1, ct);
        var shown = rows.Skip(skip).Take(size).ToList();
        var more = rows.Count > skip + size;
        return new(shown.Select(r => r.Case).ToList(), p, size, total, atLeast,
            more && shown.Count > 0 ? order.CursorAt(shown[^1], forward: true) : null,
            (from is not null || skip > 0) && shown.Count > 0 ? order.CursorAt(shown[0], forward: false) : null);
    }

    /// <summary>How far a total under the filter is counted: <see cref="SearchCountLimit"/> for a text search, else <see cref="CountLimit"/>.</summary>
    public static int CountLimitFor(CaseFilter filter) => string.IsNullOrWhiteSpace(filter.Q) ? CountLimit : SearchCountLimit;

    /// <summary>How many cases any of the queries selects, counting at most <paramref name="limit"/> + 1 of each.</summary>
    public static async Task<(int Total, bool AtLeast)> CountAsync(IReadOnlyList<IQueryable<Case>> queries, int limit, CancellationToken ct)
    {
        int total;
        if (queries.Count == 1)
        {
            total = await queries[0].Take(limit + 1).CountAsync(ct);
        }
        else
        {
            // The branches may overlap (a leader's own report inside their district): count each case once.
            var ids = new HashSet<long>();
            foreach (var q in queries)
            {
                ids.UnionWith(await q.Select(c => c.Id).Take(limit + 1).ToListAsync(ct));
                if (ids.Count > limit) break;
            }
            total = ids.Count;
        }
        return total > limit ? (limit, true) : (total, false);
    }

    private static CaseListPage Refused(int page, int size, ProblemHttpResult problem) => new([], page, size, 0, Problem: problem);

    /// <summary>
    /// Up to <paramref name="count"/> cases after (or before) a position, across the branches: each branch read in order
    /// through its index, then merged. The first n of a union are among the first n of each part.
    /// </summary>
    private static async Task<List<Row>> ReadAsync(List<IQueryable<Case>> queries, Order order, Position? from, bool forward, int count, CancellationToken ct)
    {
        var merged = new Dictionary<long, Row>();
        foreach (var q in queries)
        {
            foreach (var row in await order.ReadAsync(q, from, forward, count, ct)) merged.TryAdd(row.Case.Id, row);
        }
        var list = merged.Values.ToList();
        list.Sort(forward ? order.Compare : (a, b) => order.Compare(b, a));
        return list.Take(count).ToList();
    }

    internal sealed record Row(int Segment, Case Case);

    private static readonly Dictionary<string, Order> Orders = new()
    {
        ["reported"] = new("reported", [Segment.ByTime(null, c => c.ReportedAt, descending: false)]),
        ["-reported"] = new("-reported", [Segment.ByTime(null, c => c.ReportedAt, descending: true)]),
        // What falls due first, then what has no deadline (closed, rejected, suspended) oldest first. Two segments, so each
        // is one index range: the deadlines of open cases, then the dates of the rest.
        ["due"] = new("due", [
            Segment.ByTime(c => c.PhaseDueAt != null, c => c.PhaseDueAt, descending: false),
            Segment.ByTime(c => c.PhaseDueAt == null, c => c.ReportedAt, descending: false)]),
        ["-updated"] = new("-updated", [Segment.ByTime(null, c => c.UpdatedAt, descending: true)]),
        ["number"] = new("number", [Segment.ByNumber()]),
    };

    /// <summary>A sort: one or more segments read one after the other.</summary>
    private sealed class Order(string name, IReadOnlyList<Segment> segments)
    {
        public IReadOnlyList<Segment> Segments => segments;

        public int Compare(Row a, Row b) =>
            a.Segment != b.Segment ? a.Segment.CompareTo(b.Segment) : segments[a.Segment].Compare(a.Case, b.Case);

        public string CursorAt(Row row, bool forward) => segments[row.Segment].PositionOf(name, row.Segment, row.Case, forward).Encode();

        public async Task<List<Row>> ReadAsync(IQueryable<Case> query, Position? from, bool forward, int count, CancellationToken ct)
        {
            var rows = new List<Row>();
            var s = from?.Segment ?? 0;
            var at = from;
            while (rows.Count < count && s >= 0 && s < segments.Count)
            {
                var segment = segments[s];
                var q = segment.Where is null ? query : query.Where(segment.Where);
                if (at is not null) q = q.Where(segment.After(at, forward));
                foreach (var c in await segment.Sorted(q, forward).Take(count - rows.Count).ToListAsync(ct)) rows.Add(new(s, c));
                s += forward ? 1 : -1;
                at = null;
            }
            return rows;
        }
    }

    /// <summary>
    /// One index range of a sort: the cases matching <see cref="Where"/> in one key's order (then the id's, which breaks
    /// ties, so every case has one place).
    /// </summary>
    private abstract class Segment(Expression<Func<Case, bool>>? where)
    {
        public Expression<Func<Case, bool>>? Where => where;

        public abstract IQueryable<Case> Sorted(IQueryable<Case> query, bool forward);

        public abstract Expression<Func<Case, bool>> After(Position at, bool forward);

        public abstract int Compare(Case a, Case b);

        public abstract Position PositionOf(string sort, int segment, Case c, bool forward);

        public abstract bool Accepts(Position at);

        public static Segment ByTime<T>(Expression<Func<Case, bool>>? where, Expression<Func<Case, T>> key, bool descending) =>
            new TimeSegment<T>(where, key, descending);

        public static Segment ByNumber() => new NumberSegment();
    }

    /// <summary>Ordered by an instant (<see cref="DateTimeOffset"/> or its nullable form), then by id.</summary>
    private sealed class TimeSegment<T>(Expression<Func<Case, bool>>? where, Expression<Func<Case, T>> key, bool descending) : Segment(where)
    {
        private readonly Func<Case, T> _key = key.Compile();

        public override IQueryable<Case> Sorted(IQueryable<Case> query, bool forward) =>
            descending == forward
                ? query.OrderByDescending(key).ThenByDescending(c => c.Id)
                : query.OrderBy(key).ThenBy(c => c.Id);

        /// <summary>
        /// (key, id) beyond the position, written as <c>key ≥ t AND (key &gt; t OR id &gt; i)</c>: the first term is a range
        /// on the index, so the read starts at the position instead of skipping the pages before it.
        /// </summary>
        public override Expression<Func<Case, bool>> After(Position at, bool forward)
        {
            var c = key.Parameters[0];
            var member = key.Body;
            var value = Expression.Convert(Expression.Property(Expression.Constant(new Box(new DateTimeOffset(at.Ticks!.Value, TimeSpan.Zero))), nameof(Box.Value)), typeof(T));
            var id = Expression.Property(Expression.Constant(new IdBox(at.Id)), nameof(IdBox.Value));
            var caseId = Expression.Property(c, nameof(Case.Id));
            var down = descending == forward;
            var body = down
                ? Expression.AndAlso(Expression.LessThanOrEqual(member, value), Expression.OrElse(Expression.LessThan(member, value), Expression.LessThan(caseId, id)))
                : Expression.AndAlso(Expression.GreaterThanOrEqual(member, value), Expression.OrElse(Expression.GreaterThan(member, value), Expression.GreaterThan(caseId, id)));
            return Expression.Lambda<Func<Case, bool>>(body, c);
        }

        public override int Compare(Case a, Case b)
        {
            var byKey = Ticks(a).CompareTo(Ticks(b));
            if (byKey == 0) byKey = a.Id.CompareTo(b.Id);
            return descending ? -byKey : byKey;
        }

        private long Ticks(Case c) => _key(c) is DateTimeOffset t ? t.UtcTicks : long.MinValue;

        public override Position PositionOf(string sort, int segment, Case c, bool forward) => new(sort, forward, segment, Ticks(c), null, c.Id);

        public override bool Accepts(Position at) => at.Ticks is > 0 and < 3155378975999999999;
    }

    /// <summary>Ordered by the case number, which is unique.</summary>
    private sealed class NumberSegment() : Segment(null)
    {
        public override IQueryable<Case> Sorted(IQueryable<Case> query, bool forward) =>
            forward ? query.OrderBy(c => c.Number) : query.OrderByDescending(c => c.Number);

        public override Expression<Func<Case, bool>> After(Position at, bool forward)
        {
            var number = at.Number!;
            return forward ? c => string.Compare(c.Number, number) > 0 : c => string.Compare(c.Number, number) < 0;
        }

        public override int Compare(Case a, Case b) => string.CompareOrdinal(a.Number, b.Number);

        public override Position PositionOf(string sort, int segment, Case c, bool forward) => new(sort, forward, segment, null, c.Number, c.Id);

        public override bool Accepts(Position at) => at.Number is { Length: > 0 and <= 32 };
    }

    // Values reached through a member, so EF sends them as parameters (one plan for every page), never as literals.
    private sealed record Box(DateTimeOffset Value);

    private sealed record IdBox(long Value);

    /// <summary>
    /// Where a page starts: the sort, the direction, and the key of the case at its edge. Opaque to clients (base64url
    /// JSON); it holds no scope — the query re-applies the caller's scope — so an altered cursor only moves the position.
    /// </summary>
    internal sealed record Position(string Sort, bool Forward, int Segment, long? Ticks, string? Number, long Id)
    {
        private sealed record Wire(string s, string d, int g, long? t, string? n, long i);

        public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Wire(Sort, Forward ? "n" : "p", Segment, Ticks, Number, Id)));

        public static Position? Decode(string cursor)
        {
            if (cursor.Length > 512) return null;
            try
            {
                var wire = JsonSerializer.Deserialize<Wire>(Base64Url.DecodeFromChars(cursor));
                if (wire is null || wire.s is null || wire.d is not ("n" or "p")) return null;
                return new(wire.s, wire.d == "n", wire.g, wire.t, wire.n, wire.i);
            }
            catch (Exception e) when (e is FormatException or JsonException)
            {
                return null;
            }
        }
    }
}
