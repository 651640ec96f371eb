namespace OneGrid.Hosting;

/// <summary>
/// Work every node repeats once start-up is done — reloading what another node changed, watching deadlines.
/// Each run gets its own DI scope; a failed run is logged and the next period tries again, so one bad
/// moment (a database restart) never stops the loop.
/// </summary>
public abstract class PeriodicWork(IServiceScopeFactory scopes, StartupState startup, TimeProvider time, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Period { get; }

    /// <summary>Whether to run once straight after start-up rather than wait a period first.</summary>
    protected virtual bool RunAtStart => false;

    protected abstract Task RunAsync(IServiceProvider services, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await startup.WhenReady(stoppingToken);
        using var timer = new PeriodicTimer(Period, time);
        if (RunAtStart) await RunOnceAsync(stoppingToken);
        while (await timer.WaitForNextTickAsync(stoppingToken)) await RunOnceAsync(stoppingToken);
    }

    private async Task RunOnceAsync(CancellationToken ct)
    {
        try
        {
            using var scope = scopes.CreateScope();
            await RunAsync(scope.ServiceProvider, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "{Work} failed; it runs again in {Period}", GetType().Name, Period);
        }
    }
}
