using OneGrid.Hosting;
using OneGrid.Workflows;

namespace OneGrid.Disputes;

public static class DisputeModule
{
    public static IServiceCollection AddDisputeModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<DisputeOptions>(configuration.GetSection(DisputeOptions.Section));
        services.AddWorkflow<Dispute, DisputeState, DisputeWorkflow>();
        services.AddScoped<DisputeService>();
        services.AddSingleton<IStartupTask, DemoDisputes>();
        return services;
    }
}
