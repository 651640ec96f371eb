using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NetTopologySuite.Geometries;
using OneGrid.Hosting;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Territory.Generation;
using OneGrid.Territory.Import;

namespace OneGrid.Cli;

/// <summary>
/// Posts reports over HTTP, as phones would, and measures throughput and latency: a closed loop of N
/// clients for the maximum rate, then an open loop at a fixed rate, where latency is counted from each
/// request's scheduled start so a slow server cannot hide its queue (no coordinated omission).
/// </summary>
internal static class IntakeBench
{
    public sealed record Result(double Rate, double P50Ms, double P99Ms, long Sent, long Failed);

    public static async Task<int> RunAsync(string? url, string? database, string? apiKey, double seconds, int clients, double fixedRate,
        double warmup, CancellationToken ct)
    {
        WebApplication? app = null;
        string? dataDir = null;
        try
        {
            if (url is null)
            {
                dataDir = Path.Combine(Path.GetTempPath(), "onegrid-bench-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(dataDir);
                var settings = new HostSettings
                {
                    DataDirectory = dataDir,
                    Database = DatabaseSettings.Parse(database, dataDir),
                    Demo = true,
                    Urls = "http://127.0.0.1:0",
                };
                app = OneGridApp.Build(settings, ["--Logging:LogLevel:Default=Warning"]);
                await app.StartAsync(ct);
                url = app.Urls.First();
                Console.WriteLine($"host: {settings.Database.Describe()} at {url}");
            }

            // A lean client: it shares the machine's cores with the host, so every request's work here is work the
            // host cannot do. Bodies are serialized once, responses are not buffered, nothing is retried.
            using var http = new HttpClient(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = Math.Max(clients, 64),
                PooledConnectionLifetime = TimeSpan.FromMinutes(10),
                UseCookies = false,
                UseProxy = false,
                AutomaticDecompression = System.Net.DecompressionMethods.None,
            })
            {
                BaseAddress = new Uri(url),
                Timeout = TimeSpan.FromSeconds(30),
            };
            await BenchHost.WaitReadyAsync(http, ct);
            // Reports signed with the demo key are not rate-limited as anonymous ones are.
            apiKey ??= (string?)(await BenchHost.DemoListingAsync(http, ct))?["apiKey"];
            if (apiKey is not null) http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

            var points = Bodies(DemoPoints(20_000));
            // Long enough for the host's JIT to reach its optimised tier on the hot path (tiered PGO recompiles
            // hot methods after they have run a while): what is measured is the sustained rate, not start-up.
            Console.WriteLine($"warming up for {warmup:0} s…");
            var warm = await ClosedLoopAsync(http, points, TimeSpan.FromSeconds(warmup), clients, ct);
            Console.WriteLine($"warm-up: {warm.Sent} sent, {warm.Failed} failed");

            var max = await ClosedLoopAsync(http, points, TimeSpan.FromSeconds(seconds), clients, ct);
            Console.WriteLine($"intake max: {max.Rate:0} reports/s with {clients} clients, p50 {max.P50Ms:0.0} ms, p99 {max.P99Ms:0.0} ms ({max.Sent} sent, {max.Failed} failed)");
            var paced = await OpenLoopAsync(http, points, TimeSpan.FromSeconds(seconds), fixedRate, ct);
            Console.WriteLine($"intake at {fixedRate:0}/s: {paced.Rate:0} reports/s, p50 {paced.P50Ms:0.0} ms, p99 {paced.P99Ms:0.0} ms ({paced.Sent} sent, {paced.Failed} failed)");
            Console.WriteLine($"intake: {max.Rate:0} reports/s max; p99 {paced.P99Ms:0.0} ms at {fixedRate:0} reports/s");
            return max.Failed + paced.Failed > 0 ? 1 : 0;
        }
        finally
        {
            if (app is not null)
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
            }
            if (dataDir is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
            }
        }
    }

    /// <summary>Random points inside the demo district's grids (the same seed makes the same map as the host's).</summary>
    private static Coordinate[] DemoPoints(int count)
    {
        var units = TerritoryGenerator.Generate(DivisionsCsv.Hangzhou(), TerritoryGenerator.HangzhouOutlines(), DemoTerritory.DistrictCode, DemoTerritory.Options);
        var grids = units.Where(u => u.Level == UnitLevel.Grid).Select(u => u.Boundary!).ToList();
        var rng = new Random(7);
        return Enumerable.Range(0, count).Select(_ => Tessellator.RandomPointsInside(grids[rng.Next(grids.Count)], 1, rng)[0]).ToArray();
    }

    private static readonly Uri ReportsPath = new("/api/v1/reports", UriKind.Relative);
    private static readonly System.Net.Http.Headers.MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    /// <summary>The report bodies, serialized once: the host parses each one as it would a phone's.</summary>
    private static byte[][] Bodies(Coordinate[] points) =>
        points.Select((p, i) => System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["lon"] = p.X,
            ["lat"] = p.Y,
            ["description"] = $"压测上报 {i}：路边有暴露垃圾",
            ["categoryCode"] = null,
        }.ToJsonString())).ToArray();

    /// <summary>Posts one body; the answer is read to its end (so the host's whole response counts) but not kept.</summary>
    private static async Task<bool> PostAsync(HttpClient http, byte[] body, CancellationToken ct)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, ReportsPath) { Content = content };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (await stream.ReadAsync(buffer, ct) > 0) { }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return response.StatusCode == System.Net.HttpStatusCode.Created;
    }

    private static async Task<Result> ClosedLoopAsync(HttpClient http, byte[][] points, TimeSpan duration, int clients, CancellationToken ct)
    {
        var latencies = new List<double>[clients];
        long sent = 0, failed = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
        {
            var mine = latencies[i] = new List<double>(100_000);
            while (watch.Elapsed < duration)
            {
                var n = Interlocked.Increment(ref sent);
                var start = Stopwatch.GetTimestamp();
                var ok = await PostAsync(http, points[n % points.Length], ct);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (!ok) Interlocked.Increment(ref failed);
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(all.Length / watch.Elapsed.TotalSeconds, BenchHost.Percentile(all, 0.50), BenchHost.Percentile(all, 0.99), all.Length, failed);
    }

    private static async Task<Result> OpenLoopAsync(HttpClient http, byte[][] points, TimeSpan duration, double rate, CancellationToken ct)
    {
        var total = (long)(duration.TotalSeconds * rate);
        var latencies = new double[total];
        long failed = 0;
        var watch = Stopwatch.StartNew();
        var tasks = new List<Task>((int)total);
        for (long n = 0; n < total; n++)
        {
            var scheduled = TimeSpan.FromSeconds(n / rate);
            var wait = scheduled - watch.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, ct);
            var index = n;
            tasks.Add(Task.Run(async () =>
            {
                var ok = await PostAsync(http, points[index % points.Length], ct);
                latencies[index] = (watch.Elapsed - scheduled).TotalMilliseconds;
                if (!ok) Interlocked.Increment(ref failed);
            }, ct));
        }
        await Task.WhenAll(tasks);
        var elapsed = watch.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Result(total / elapsed, BenchHost.Percentile(latencies, 0.50), BenchHost.Percentile(latencies, 0.99), total, failed);
    }
}
