using OneGrid.Access;
using OneGrid.Kernel;

namespace OneGrid.CommandCentre;

/// <summary>
/// The command centre (驾驶舱, DESIGN §6): its aggregations, the live feed of case changes that keeps the
/// command centre page current, and the <c>/hubs/live</c> SignalR hub that tells other dashboards.
/// </summary>
public static class CommandCentreModule
{
    public static IServiceCollection AddCommandCentreModule(this IServiceCollection services)
    {
        services.AddSignalR();
        services.AddScoped<CommandCentreQueries>();
        services.AddScoped<OneGrid.Cases.Tallies.CaseTallyReader>();
        services.AddSingleton<LiveCaseFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveCaseFeed>());
        services.AddSingleton<LiveConnections>();
        services.AddHostedService<LiveHubBroadcaster>();
        return services;
    }

    public static WebApplication MapCommandCentreEndpoints(this WebApplication app)
    {
        // Endpoint filters do not run for hubs: the hub's requests (negotiate, connect) are gated here, after the
        // access middleware has resolved the actor, with the same problems as the API.
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(LiveHub.Path))
            {
                var actor = context.RequestServices.GetRequiredService<IActorAccessor>().Current;
                if (actor.IsAnonymous)
                {
                    await AccessProblems.SignInRequired().ExecuteAsync(context);
                    return;
                }
                if (!CommandCentreQueries.MayUse(actor))
                {
                    await AccessProblems.Forbidden().ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        });
        app.MapHub<LiveHub>(LiveHub.Path);
        app.MapGet("/api/v1/command-centre", async (Actor actor, CommandCentreQueries queries, string? period, CancellationToken ct) =>
            {
                CommandPeriod p;
                if (period is null || period.Equals("today", StringComparison.OrdinalIgnoreCase)) p = CommandPeriod.Today;
                else if (period.Equals("month", StringComparison.OrdinalIgnoreCase)) p = CommandPeriod.Month;
                else return Problems.InvalidField("period", "period 应为 today 或 month", "period must be today or month");
                return Results.Ok(await queries.SnapshotAsync(actor, p, ct));
            })
            .RequireActor(CommandCentreQueries.MayUse)
            .WithTags("Command centre")
            .WithName("CommandCentre")
            .WithSummary("The command centre's figures over the caller's scope: KPIs today and this month, counts by state, category, unit " +
                "and platform for the period (today or month), overdue and supervised cases, and 30 days of reported vs closed.");
        return app;
    }
}
