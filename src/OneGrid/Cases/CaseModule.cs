using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OneGrid.Access;

namespace OneGrid.Cases;

public static class CaseModule
{
    public const string ReportRateLimit = "reports";

    /// <summary>Anonymous reports per client address per minute; signed-in reporters are not limited here.</summary>
    public const int AnonymousReportsPerMinute = 30;

    public static IServiceCollection AddCaseModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<CaseOptions>(configuration.GetSection("Cases"));
        services.AddSingleton<AttachmentStore>();
        services.AddScoped<CaseService>();
        services.AddHostedService<DeadlineWorker>();
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(ReportRateLimit, context =>
            {
                var actor = context.RequestServices.GetRequiredService<IActorAccessor>().Current;
                if (!actor.IsAnonymous) return RateLimitPartition.GetNoLimiter("signed-in");
                var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter("anon:" + client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = AnonymousReportsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
        return services;
    }
}
