using Microsoft.EntityFrameworkCore;
using OneGrid.Persistence;

namespace OneGrid.Cases;

/// <summary>Readable case numbers: district initials, the local date, a per-district daily serial — BJ-20261124-000123.</summary>
public static class CaseNumbers
{
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>Pinyin initials of Hangzhou's districts; elsewhere the district code stands in.</summary>
    private static readonly Dictionary<string, string> Prefixes = new()
    {
        ["330102"] = "SC", ["330105"] = "GS", ["330106"] = "XH", ["330108"] = "BJ", ["330109"] = "XS", ["330110"] = "YH",
        ["330111"] = "FY", ["330112"] = "LA", ["330113"] = "LP", ["330114"] = "QT", ["330122"] = "TL", ["330127"] = "CA",
        ["330182"] = "JD",
    };

    public static string Prefix(string districtCode) => Prefixes.GetValueOrDefault(districtCode, districtCode);

    /// <summary>The counter a case number is taken from: one per district and local day.</summary>
    public static string Scope(string districtCode, DateTimeOffset at) => districtCode + ":" + Day(at);

    public static string Format(string districtCode, DateTimeOffset at, long serial) => $"{Prefix(districtCode)}-{Day(at)}-{serial:D6}";

    private static string Day(DateTimeOffset at) => at.ToOffset(ChinaOffset).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Takes the next serial in the caller's transaction: one atomic upsert, safe across nodes.</summary>
    public static async Task<string> NextAsync(OneGridDbContext db, string districtCode, DateTimeOffset now, CancellationToken ct) =>
        Format(districtCode, now, await ReserveAsync(db, Scope(districtCode, now), 1, ct));

    /// <summary>Reserves <paramref name="count"/> serials of the scope in the caller's transaction; returns the last of them.</summary>
    public static async Task<long> ReserveAsync(OneGridDbContext db, string scope, int count, CancellationToken ct) =>
        await db.Database
            .SqlQueryRaw<long>(ReserveSql, scope, (long)count)
            .AsAsyncEnumerable()
            .FirstAsync(ct);

    /// <summary>The reservation: {0} the scope, {1} how many. Also stepped directly by the bulk load (<c>simulate</c>).</summary>
    internal const string ReserveSql =
        "INSERT INTO case_counters (scope, last) VALUES ({0}, {1}) ON CONFLICT (scope) DO UPDATE SET last = case_counters.last + {1} RETURNING last AS \"Value\"";
}
