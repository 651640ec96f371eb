using OneGrid.Workflows;

namespace OneGrid.Cases;

public static class CaseModule
{
    public static IServiceCollection AddCaseModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<CaseOptions>(configuration.GetSection("Cases"));
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CaseJsonContext.Default));
        services.AddSingleton<AttachmentStore>();
        services.AddSingleton<ReporterKeys>();
        services.AddScoped<CaseService>();
        services.AddScoped<CasePhotos>();
        services.AddWorkflow<Case, CaseState, CaseWorkflow>();
        services.AddSingleton<DuplicateFinder>();
        services.AddSingleton<OpenCaseIndex>();
        services.AddSingleton<ReportWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ReportWriter>());
        services.AddSingleton<CaseSearchIndexer>();
        services.AddHostedService(sp => sp.GetRequiredService<CaseSearchIndexer>());
        services.AddHostedService<OrphanUploadSweeper>();
        services.AddSingleton<Hosting.IStartupTask, Tallies.CaseTallyBackfill>();
        // The case lists' index choice on SQLite depends on current statistics.
        services.AddHostedService<Persistence.SqliteStatistics>();
        return services;
    }
}
