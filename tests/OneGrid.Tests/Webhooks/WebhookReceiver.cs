using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OneGrid.Tests.Webhooks;

/// <summary>
/// Another system's receiver on loopback: checks each delivery's signature the way the README tells receivers
/// to (its own HMAC, not OneGrid's code), records it, and answers with the status <see cref="Answer"/> picks.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string? Event, string? DeliveryId, string? Timestamp, string? Signature, string Body, bool SignatureValid,
        int Attempt, int Answered)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
    }

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    /// <summary>Set once the endpoint is registered: the secret deliveries are checked against.</summary>
    public string Secret { get; set; } = "";

    /// <summary>(delivery id, attempt number from 1) → the status to answer.</summary>
    public Func<string, int, int> Answer { get; set; } = (_, _) => 200;

    public string Url { get; private set; } = "";

    public IReadOnlyList<Received> All => _received.ToArray();

    private WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var id = ctx.Request.Headers["OneGrid-Delivery"].ToString();
            var attempt = _attempts.AddOrUpdate(id, 1, (_, n) => n + 1);
            var status = Answer(id, attempt);
            var signature = ctx.Request.Headers["OneGrid-Signature"].ToString();
            var timestamp = ctx.Request.Headers["OneGrid-Timestamp"].ToString();
            _received.Enqueue(new Received(ctx.Request.Headers["OneGrid-Event"].ToString(), id, timestamp, signature, body,
                Verify(Secret, signature, timestamp, body), attempt, status));
            return Results.StatusCode(status);
        });
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var r = new WebhookReceiver();
        await r._app.StartAsync();
        r.Url = r._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
        return r;
    }

    /// <summary>The receiver's recipe: t from the header, HMAC-SHA256(secret, t + "." + raw body) in hex, compared in constant time.</summary>
    public static bool Verify(string secret, string header, string timestampHeader, string body)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1) || t != timestampHeader) return false;
        if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(t)) > 300) return false;
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + body));
        return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(v1));
    }

    /// <summary>Waits until the recorded deliveries satisfy the condition (deliveries are asynchronous).</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(Func<IReadOnlyList<Received>, bool> done, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var all = All;
            if (done(all)) return all;
            if (DateTime.UtcNow > until) throw new TimeoutException($"Receiver got {all.Count} deliveries: " + string.Join(" | ", all.Select(a => a.Body)));
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
