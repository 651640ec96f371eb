using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OneGrid.Access;

/// <summary>
/// A per-client-IP budget as one counter per address that every door shares: an endpoint policy holds it through
/// <see cref="For"/>, and a page whose submissions the endpoint policies cannot see (a circuit's events, a static
/// page's form handler) takes its permits with <see cref="TryAcquire"/>. A client cannot double its budget by
/// switching between the API and the page.
/// </summary>
public abstract class AddressLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    protected AddressLimiter(int permitLimit, int windowSeconds)
    {
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permitLimit,
                Window = TimeSpan.FromSeconds(windowSeconds),
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

    public void Dispose()
    {
        _limiter.Dispose();
        GC.SuppressFinalize(this);
    }

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

/// <summary>
/// Anonymous callers' budget (<see cref="AccessOptions.AnonymousPermitLimit"/> per <see cref="AccessOptions.AnonymousWindowSeconds"/>):
/// the <see cref="AccessRateLimits.Anonymous"/> endpoint policy (POST /api/v1/reports) and the report page.
/// </summary>
public sealed class AnonymousLimiter(IOptions<AccessOptions> options)
    : AddressLimiter(options.Value.AnonymousPermitLimit, options.Value.AnonymousWindowSeconds);

/// <summary>
/// Sign-in attempts (<see cref="AccessOptions.LoginPermitLimit"/> per <see cref="AccessOptions.LoginWindowSeconds"/>):
/// the <see cref="AccessRateLimits.Login"/> endpoint policy (API login and token refresh) and the sign-in page.
/// </summary>
public sealed class LoginLimiter(IOptions<AccessOptions> options)
    : AddressLimiter(options.Value.LoginPermitLimit, options.Value.LoginWindowSeconds);
