using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Hosting;

/// <summary>
/// Runs once at start, after Kestrel listens (so /healthz can answer "not ready" meanwhile):
/// migrate, load the demo district if asked, load the territory index.
/// </summary>
internal sealed class StartupWork(
    IServiceScopeFactory scopes, HostSettings settings, StartupState state, TerritoryIndexHolder territory,
    IEnumerable<IStartupTask> startupTasks, TimeProvider time, ILogger<StartupWork> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            logger.LogInformation("Database: {Database}", settings.Database.Describe());
            await PersistenceServices.MigrateAsync(db, stoppingToken);
            if (settings.Demo)
            {
                await DemoTerritory.EnsureAsync(db, time, logger, stoppingToken);
            }
            foreach (var task in startupTasks.OrderBy(t => t.Order))
            {
                using var taskScope = scopes.CreateScope();
                await task.RunAsync(taskScope.ServiceProvider, settings, stoppingToken);
            }
            await territory.RefreshAsync(db, force: true, ct: stoppingToken);
            state.MarkReady();
            logger.LogInformation("OneGrid is ready");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "Start-up failed");
            state.MarkFailed(e);
        }
    }
}
