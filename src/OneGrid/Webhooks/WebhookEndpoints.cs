using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Cases;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Webhooks;

/// <summary><c>unitCode</c>: whose cases it receives (the subtree); by default the administrator's unit, every case for the city administrator.</summary>
public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? Events, string? UnitCode = null);

/// <summary>An endpoint as administrators see it; <c>secret</c> only in the answer to its creation; <c>unitCode</c> null: every case.</summary>
public sealed record WebhookEndpointResponse(long Id, string Url, IReadOnlyList<string> Events, bool Active, DateTimeOffset CreatedAt,
    string? CreatedBy, string? UnitCode, string? Secret = null);

public sealed record WebhookDeliveryResponse(string Id, string Type, long CaseId, string Status, int Attempts, int? StatusCode,
    string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt,
    long? DisputeId = null);

public static class WebhookModule
{
    public static IServiceCollection AddWebhookModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebhookOptions>(configuration.GetSection("Webhooks"));
        // Receivers are other systems' servers: no cookies, no automatic redirects to somewhere not registered.
        services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp =>
                WebhookAddressGuard.CreateHandler(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateNetworks));
        services.AddHostedService<WebhookSender>();
        // The persistence set-up registers the interceptor (every context needs it); report intake finds it as an outbox.
        services.AddSingleton<ICaseEventOutbox>(sp => sp.GetRequiredService<WebhookOutboxInterceptor>());
        return services;
    }

    public static RouteGroupBuilder MapWebhookEndpoints(this WebApplication app)
    {
        var hooks = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks").RequireAdmin(AdminCapability.Webhooks);
        hooks.MapPost("/", Create).WithName("CreateWebhook")
            .WithSummary("Registers a receiver for case events; the signing secret is in this answer only.");
        hooks.MapGet("/", List).WithName("ListWebhooks").WithSummary("Registered receivers (never their secrets).");
        hooks.MapDelete("/{id:long}", Delete).WithName("DeleteWebhook").WithSummary("Stops a receiver; its pending deliveries are dropped.");
        hooks.MapGet("/{id:long}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("Recent deliveries to a receiver, newest first: status, attempts, last response, next attempt.");
        return hooks;
    }

    internal static async Task<IResult> Create(CreateWebhookRequest? body, Actor actor, TerritoryIndexHolder territory, OneGridDbContext db,
        TimeProvider time, IOptions<WebhookOptions> options, HttpContext http, CancellationToken ct)
    {
        var url = body?.Url?.Trim();
        if (string.IsNullOrEmpty(url)) return Problems.InvalidField("url", "请填写接收地址 url", "The url is required");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            return Problems.InvalidField("url", "url 必须是完整的 http 或 https 地址", "The url must be an absolute http or https URL");
        }
        if (url.Length > 2000) return Problems.InvalidField("url", "url 过长", "The url is too long");
        // Names are checked again on every connection (they may be re-pointed); a literal address can be refused now.
        if (!options.Value.AllowPrivateNetworks &&
            (uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.DnsSafeHost, out var ip) && WebhookAddressGuard.IsPrivate(ip))))
        {
            return Problems.InvalidField("url", "接收地址不能是本机或内网地址", "The url must not point at a loopback or private address");
        }
        var events = body!.Events is { Count: > 0 } requested ? requested.Select(e => e.Trim()).Distinct().ToList() : [.. WebhookEventTypes.All];
        if (events.FirstOrDefault(e => !WebhookEventTypes.All.Contains(e)) is { } unknown)
        {
            return Problems.InvalidField("events", $"未知事件类型 {unknown}，可选：{string.Join(", ", WebhookEventTypes.All)}",
                $"Unknown event type {unknown}; known: {string.Join(", ", WebhookEventTypes.All)}");
        }
        var scope = body.UnitCode?.Trim();
        if (string.IsNullOrEmpty(scope))
        {
            // The city administrator's default is every case; anyone else's is their own unit, which must be one.
            var units = actor.AdminUnits();
            scope = actor.IsCityAdmin(territory.Current) ? null : units.Count == 1 ? units[0] : null;
            if (scope is null && !actor.IsCityAdmin(territory.Current))
            {
                return Problems.InvalidField("unitCode", "您的管理员授权不止一个单元，请指定 unitCode", "You administer several units: give the unitCode");
            }
        }
        else if (territory.Current.Find(scope) is null)
        {
            return Problems.InvalidField("unitCode", $"单元 {scope} 不存在", $"There is no unit {scope}");
        }
        else if (!actor.AdministersUnit(scope))
        {
            return AdminScope.OutsideScope(scope);
        }
        var row = new WebhookEndpoint
        {
            ScopeUnitCode = scope,
            Url = uri.AbsoluteUri,
            Secret = WebhookSignature.NewSecret(),
            EventTypes = string.Join(',', events),
            CreatedAt = time.GetUtcNow(),
            CreatedBy = actor.UserName,
        };
        db.Add(row);
        await db.SaveChangesAsync(ct);
        AuditTrail.Note(http, "webhooks/" + row.Id, $"register webhook {row.Url} for {row.EventTypes} in {row.ScopeUnitCode ?? "all units"}");
        return TypedResults.Created($"/api/v1/webhooks/{row.Id}", Describe(row) with { Secret = row.Secret });
    }

    /// <summary>The city administrator manages every endpoint; another administrator those scoped inside its subtree.</summary>
    private static bool Manages(Actor actor, TerritoryIndexHolder territory, WebhookEndpoint e) =>
        actor.IsCityAdmin(territory.Current) || e.ScopeUnitCode is { } unit && actor.AdministersUnit(unit);

    internal static async Task<IResult> List(Actor actor, TerritoryIndexHolder territory, OneGridDbContext db, CancellationToken ct)
    {
        var rows = await db.Set<WebhookEndpoint>().AsNoTracking().Where(e => e.Active).OrderBy(e => e.Id).ToListAsync(ct);
        return TypedResults.Ok(new { items = rows.Where(e => Manages(actor, territory, e)).Select(Describe) });
    }

    internal static async Task<IResult> Delete(long id, Actor actor, TerritoryIndexHolder territory, OneGridDbContext db, HttpContext http,
        CancellationToken ct)
    {
        var row = await db.Set<WebhookEndpoint>().FirstOrDefaultAsync(e => e.Id == id && e.Active, ct);
        if (row is null || !Manages(actor, territory, row)) return NotFound(id);
        // Kept, inactive, so its delivery log stays readable.
        row.Active = false;
        await db.SaveChangesAsync(ct);
        await db.Set<WebhookDelivery>().Where(d => d.EndpointId == id && d.Status == DeliveryStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Cancelled), ct);
        AuditTrail.Note(http, "webhooks/" + id, $"delete webhook {row.Url}");
        return TypedResults.NoContent();
    }

    internal static async Task<IResult> Deliveries(long id, int? limit, Actor actor, TerritoryIndexHolder territory, OneGridDbContext db,
        CancellationToken ct)
    {
        var endpoint = await db.Set<WebhookEndpoint>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null || !Manages(actor, territory, endpoint)) return NotFound(id);
        var take = Math.Clamp(limit ?? 50, 1, 500);
        var rows = await db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.EndpointId == id).OrderByDescending(d => d.Id).Take(take)
            .ToListAsync(ct);
        return TypedResults.Ok(new
        {
            items = rows.Select(d => new WebhookDeliveryResponse(d.DeliveryId, d.EventType, d.CaseId, d.Status, d.Attempts, d.LastStatusCode,
                d.LastError, d.CreatedAt, d.LastAttemptAt, d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.DeliveredAt, d.DisputeId)),
        });
    }

    private static IResult NotFound(long id) =>
        Problems.NotFound("webhook-not-found", "未找到该 Webhook", "No such webhook", Text.Pick($"Webhook {id} 不存在。", $"Webhook {id} does not exist."));

    private static WebhookEndpointResponse Describe(WebhookEndpoint e) => new(e.Id, e.Url, e.Types, e.Active, e.CreatedAt, e.CreatedBy, e.ScopeUnitCode);
}
