using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OneGrid.Access;

/// <summary>
/// The per-client-IP budget of anonymous callers (<see cref="AccessOptions.AnonymousPermitLimit"/> per
/// <see cref="AccessOptions.AnonymousWindowSeconds"/>), as one counter per address shared by every door:
/// the <see cref="AccessRateLimits.Anonymous"/> endpoint policy (POST /api/v1/reports) and the report page,
/// whose submissions are not HTTP requests of their own. A client cannot double its budget by switching
/// between the API and the page.
/// </summary>
public sealed class AnonymousLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public AnonymousLimiter(IOptions<AccessOptions> options)
    {
        var o = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = o.AnonymousPermitLimit,
                Window = TimeSpan.FromSeconds(o.AnonymousWindowSeconds),
                QueueLimit = 0,
            }));
    }

    /// <summary>Takes one permit for the address; when refused, how long until the window turns.</summary>
    public bool TryAcquire(string clientAddress, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(clientAddress);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.Zero;
        return lease.IsAcquired;
    }

    /// <summary>
    /// The address's counter as a limiter the rate-limiting middleware can hold per partition. The middleware
    /// disposes partitions it finds idle; disposing this view leaves the shared counter alone.
    /// </summary>
    internal RateLimiter For(string clientAddress) => new View(_limiter, clientAddress);

    public void Dispose() => _limiter.Dispose();

    private sealed class View(PartitionedRateLimiter<string> shared, string key) : RateLimiter
    {
        // Always idle to the middleware: it may drop this view whenever it likes, the count lives in the shared limiter.
        public override TimeSpan? IdleDuration => TimeSpan.MaxValue;

        public override RateLimiterStatistics? GetStatistics() => shared.GetStatistics(key);

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => shared.AttemptAcquire(key, permitCount);

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            shared.AcquireAsync(key, permitCount, cancellationToken);
    }
}
