using OneGrid.Hosting;

namespace OneGrid.Catalog;

public static class CatalogModule
{
    /// <summary>The category catalog, departments and routing: the cache, the <see cref="ICaseRouter"/>, and the seeding task.</summary>
    public static IServiceCollection AddCatalogModule(this IServiceCollection services)
    {
        services.AddSingleton<CatalogCache>();
        services.AddSingleton<ICaseRouter, CaseRouter>();
        services.AddSingleton<IStartupTask, CatalogSeeder>();
        return services;
    }
}
