namespace OneGrid.Hosting;

/// <summary>
/// Work a module needs done once at start-up, after migrations and before the host reports ready
/// (seeding its default data, demo data in demo mode). Tasks run in <see cref="Order"/>, each in its
/// own DI scope, and must be idempotent: every node runs them at every start.
/// </summary>
public interface IStartupTask
{
    int Order { get; }

    Task RunAsync(IServiceProvider services, HostSettings settings, CancellationToken ct);
}
