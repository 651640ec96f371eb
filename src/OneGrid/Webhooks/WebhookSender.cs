using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Hosting;
using OneGrid.Persistence;

namespace OneGrid.Webhooks;

/// <summary>
/// Sends due deliveries from the outbox. Every node runs it: each delivery is claimed by a conditional update
/// that pushes its due time ahead by a lease, so only one node sends it, and one that crashed mid-send leaves it
/// due again once the lease ends. A failure is retried with exponential back-off; after the last attempt the
/// delivery is dead. Receivers may therefore see a delivery more than once (drop repeats by OneGrid-Delivery).
/// </summary>
public sealed class WebhookSender : PeriodicWork
{
    private readonly IServiceScopeFactory _scopes;
    private readonly StartupState _startup;
    private readonly IOptions<WebhookOptions> _options;
    private readonly ILogger<WebhookSender> _logger;
    private readonly WebhookOutboxInterceptor _outbox;

    public WebhookSender(IServiceScopeFactory scopes, StartupState startup, IOptions<WebhookOptions> options, TimeProvider time,
        ILogger<WebhookSender> logger, WebhookOutboxInterceptor outbox) : base(scopes, startup, time, logger)
    {
        _outbox = outbox;
        _scopes = scopes;
        _startup = startup;
        _options = options;
        _logger = logger;
    }

    public const string HttpClientName = "webhooks";

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _gate = new(1, 1);

    protected override TimeSpan Period => _options.Value.PollPeriod;

    protected override bool RunAtStart => true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void Wake() => _wake.Writer.TryWrite(true);
        _outbox.Committed += Wake;
        try
        {
            await Task.WhenAll(base.ExecuteAsync(stoppingToken), WakeLoopAsync(stoppingToken));
        }
        finally
        {
            _outbox.Committed -= Wake;
        }
    }

    private async Task WakeLoopAsync(CancellationToken ct)
    {
        await _startup.WhenReady(ct);
        while (await _wake.Reader.WaitToReadAsync(ct))
        {
            _wake.Reader.TryRead(out _);
            try
            {
                using var scope = _scopes.CreateScope();
                await RunAsync(scope.ServiceProvider, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "Sending webhooks failed; the next poll tries again");
            }
        }
    }

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        // The poll and a wake-up never send at once on one node; a wake-up during a run is served by the next.
        await _gate.WaitAsync(ct);
        try
        {
            while (await SendDueAsync(services, ct) >= _options.Value.BatchSize) { }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One batch: claims and sends the due deliveries, oldest first. Returns how many were claimed.</summary>
    public static async Task<int> SendDueAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<OneGridDbContext>();
        var opts = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var clock = services.GetRequiredService<TimeProvider>();
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
        var now = clock.GetUtcNow();

        var due = await db.Set<WebhookDelivery>().AsNoTracking()
            .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.Id).Select(d => new { d.Id, d.EndpointId }).Take(opts.BatchSize).ToListAsync(ct);
        var claimed = 0;
        // Once an endpoint fails, its later deliveries wait, so one receiver sees its events in order as far as this batch goes.
        var failing = new HashSet<long>();
        foreach (var candidate in due)
        {
            if (failing.Contains(candidate.EndpointId)) continue;
            var lease = now + opts.Lease;
            var won = await db.Set<WebhookDelivery>()
                .Where(d => d.Id == candidate.Id && d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, lease), ct);
            if (won != 1) continue; // another node has it
            claimed++;
            db.ChangeTracker.Clear();
            var delivery = await db.Set<WebhookDelivery>().FirstAsync(d => d.Id == candidate.Id, ct);
            var endpoint = await db.Set<WebhookEndpoint>().AsNoTracking().FirstAsync(e => e.Id == delivery.EndpointId, ct);
            if (!endpoint.Active)
            {
                delivery.Status = DeliveryStatus.Cancelled;
                await db.SaveChangesAsync(ct);
                continue;
            }
            var (status, error) = await PostAsync(http, endpoint, delivery, opts, clock, ct);
            var at = clock.GetUtcNow();
            delivery.Attempts++;
            delivery.LastAttemptAt = at;
            delivery.LastStatusCode = status;
            delivery.LastError = error;
            if (error is null)
            {
                delivery.Status = DeliveryStatus.Delivered;
                delivery.DeliveredAt = at;
            }
            else
            {
                failing.Add(endpoint.Id);
                if (delivery.Attempts >= opts.MaxAttempts) delivery.Status = DeliveryStatus.Dead;
                else delivery.NextAttemptAt = at + opts.RetryDelay(delivery.Attempts);
            }
            await db.SaveChangesAsync(ct);
        }
        return claimed;
    }

    private static async Task<(int? Status, string? Error)> PostAsync(HttpClient http, WebhookEndpoint endpoint, WebhookDelivery delivery,
        WebhookOptions opts, TimeProvider clock, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("OneGrid-Event", delivery.EventType);
        request.Headers.Add("OneGrid-Delivery", delivery.DeliveryId);
        request.Headers.Add("OneGrid-Timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("OneGrid-Signature", WebhookSignature.Sign(endpoint.Secret, timestamp, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(opts.RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (code, null) : (code, $"HTTP {code} {response.ReasonPhrase}".Trim());
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            var message = e is OperationCanceledException ? $"timed out after {opts.RequestTimeout.TotalSeconds:0.#} s" : e.Message;
            return (null, message.Length > 1000 ? message[..1000] : message);
        }
    }
}
