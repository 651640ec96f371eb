using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace OneGrid.Cli;

/// <summary>
/// The host a benchmark measures: one it starts as a child process (<c>dotnet OneGrid.dll serve</c>), so the memory
/// read from <c>/proc</c> is the server's alone, or one already running at a URL (with its process id, if given, for
/// the same reading). The child is this assembly itself, so the bench measures the build it is part of.
/// </summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private readonly Process? _child;
    private readonly List<string> _childOutput = [];
    private readonly CancellationTokenSource _sampling = new();
    private Task? _sampler;
    private long _maxRss;

    private BenchHost(string url, int? pid, Process? child)
    {
        Url = url;
        Pid = pid;
        _child = child;
    }

    public string Url { get; }

    /// <summary>The server's process, if known: the child, or the one named by <c>--pid</c>.</summary>
    public int? Pid { get; }

    /// <summary>The largest resident set seen since <see cref="StartSampling"/>, in bytes; null when the process is unknown.</summary>
    public long? MaxRssBytes => Pid is null || _maxRss == 0 ? null : Interlocked.Read(ref _maxRss);

    public static BenchHost Attach(string url, int? pid) => new(url.TrimEnd('/'), pid, null);

    /// <summary>
    /// Starts <c>serve</c> on the given data folder or database in a child process on a free loopback port; its
    /// output is kept and shown only if it fails to become ready.
    /// </summary>
    public static async Task<BenchHost> StartAsync(string dataDirectory, string? database, bool demo, CancellationToken ct)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var dll = typeof(BenchHost).Assembly.Location;
        var start = new ProcessStartInfo(DotnetExecutable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var arg in new[] { dll, "serve", "--data", Path.GetFullPath(dataDirectory), "--urls", url }) start.ArgumentList.Add(arg);
        if (database is not null)
        {
            start.ArgumentList.Add("--database");
            start.ArgumentList.Add(database);
        }
        if (demo) start.ArgumentList.Add("--demo");
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The child must not inherit a test host's or an IDE's environment name: the bench measures production settings.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";

        var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host process.");
        var host = new BenchHost(url, child.Id, child);
        child.OutputDataReceived += (_, e) => host.Keep(e.Data);
        child.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        Console.WriteLine($"host: process {child.Id} serving {(database is null ? Path.GetFullPath(dataDirectory) : "the given database")} at {url}");
        using var http = Client(url);
        try
        {
            await WaitReadyAsync(http, ct, () => child.HasExited);
        }
        catch
        {
            await host.DisposeAsync();
            lock (host._childOutput) foreach (var line in host._childOutput.TakeLast(40)) Console.Error.WriteLine("host> " + line);
            throw;
        }
        return host;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_childOutput)
        {
            _childOutput.Add(line);
            if (_childOutput.Count > 200) _childOutput.RemoveAt(0);
        }
    }

    /// <summary>Reads the server's resident set every 100 ms until disposed, keeping the largest.</summary>
    public void StartSampling()
    {
        if (Pid is not { } pid || _sampler is not null) return;
        _sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            do
            {
                if (ReadRssBytes(pid) is { } rss && rss > Interlocked.Read(ref _maxRss)) Interlocked.Exchange(ref _maxRss, rss);
            }
            while (await timer.WaitForNextTickAsync(_sampling.Token).ConfigureAwait(false));
        });
    }

    /// <summary>VmRSS from <c>/proc/PID/status</c> (Linux), in bytes; null where there is no such file.</summary>
    public static long? ReadRssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _sampling.CancelAsync();
        if (_sampler is not null)
        {
            try { await _sampler; } catch (OperationCanceledException) { }
        }
        _sampling.Dispose();
        if (_child is not null)
        {
            if (!_child.HasExited)
            {
                _child.Kill(entireProcessTree: true);
                await _child.WaitForExitAsync(CancellationToken.None);
            }
            _child.Dispose();
        }
    }

    /// <summary>A client for one or a few sequential callers: keep-alive, no cookies, no proxy, no retries.</summary>
    public static HttpClient Client(string url) => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        BaseAddress = new Uri(url),
        Timeout = TimeSpan.FromMinutes(2),
    };

    /// <summary>
    /// Waits for <c>/healthz</c> to answer ready (migrations done, the territory loaded). A host the bench starts may not
    /// listen yet; one named by URL that refuses the connection is not there (<paramref name="refusedIsFinal"/>).
    /// </summary>
    public static async Task WaitReadyAsync(HttpClient http, CancellationToken ct, Func<bool>? gaveUp = null, bool refusedIsFinal = false)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            if (gaveUp?.Invoke() == true) throw new InvalidOperationException("The host process exited before it was ready.");
            try
            {
                using var r = await http.GetAsync("/healthz", ct);
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) when (!refusedIsFinal) { }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException("The host did not become ready.");
    }

    /// <summary>The demo listing (<c>serve --demo</c> only): accounts, their shared password and the demo API key; null elsewhere.</summary>
    public static async Task<JsonObject?> DemoListingAsync(HttpClient http, CancellationToken ct)
    {
        using var r = await http.GetAsync("/api/v1/demo/accounts", ct);
        return r.IsSuccessStatusCode ? await r.Content.ReadFromJsonAsync<JsonObject>(ct) : null;
    }

    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1))];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The <c>dotnet</c> that runs this process (as under <c>dotnet run</c> or <c>dotnet OneGrid.dll</c>), else the one the
    /// SDK names for its tools (a test host), else whichever is on the path.
    /// </summary>
    private static string DotnetExecutable()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        var sdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(sdk) && File.Exists(sdk) ? sdk : "dotnet";
    }
}
