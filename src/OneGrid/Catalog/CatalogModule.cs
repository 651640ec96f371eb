using OneGrid.Hosting;

namespace OneGrid.Catalog;

public static class CatalogModule
{
    /// <summary>
    /// The category catalog, departments and routing: the cache, the <see cref="ICaseRouter"/>, the seeding task, and the
    /// departments and platforms grants may name (<see cref="Access.IGrantTargets"/>).
    /// </summary>
    public static IServiceCollection AddCatalogModule(this IServiceCollection services)
    {
        services.AddSingleton<CatalogCache>();
        services.AddSingleton<ICaseRouter, CaseRouter>();
        services.AddSingleton<IStartupTask, CatalogSeeder>();
        services.AddSingleton<Access.IGrantTargets, CatalogGrantTargets>();
        return services;
    }
}
