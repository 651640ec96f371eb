namespace OneGrid.Cases;

public static class CaseModule
{
    public static IServiceCollection AddCaseModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<CaseOptions>(configuration.GetSection("Cases"));
        services.AddSingleton<AttachmentStore>();
        services.AddScoped<CaseService>();
        services.AddSingleton<ReportWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ReportWriter>());
        services.AddHostedService<DeadlineWorker>();
        return services;
    }
}
