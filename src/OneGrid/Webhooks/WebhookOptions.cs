namespace OneGrid.Webhooks;

/// <summary>appsettings section "Webhooks".</summary>
public sealed class WebhookOptions
{
    /// <summary>How often each node looks for due deliveries (new ones on this node are sent at once).</summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>The wait after the first failure; it doubles with each further failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Attempts before a delivery is given up as dead.</summary>
    public int MaxAttempts { get; set; } = 10;
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a claimed delivery is reserved for the node sending it; after a crash another node retries then.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    public int BatchSize { get; set; } = 50;
    /// <summary>
    /// Whether receivers may be on loopback or private networks. Off by default, so the server cannot be turned
    /// against its own network; a deployment whose receivers sit inside it (and the tests) turn it on.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    public TimeSpan RetryDelay(int attempts)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var delay = RetryBaseDelay * factor;
        return delay > MaxRetryDelay ? MaxRetryDelay : delay;
    }
}
