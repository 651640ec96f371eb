namespace OneGrid.Hosting;

/// <summary>Ready once the database is migrated, demo data (if asked) is in, and the territory index is loaded.</summary>
public sealed class StartupState
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;
    public string? Failure { get; private set; }

    public void MarkReady() => _ready.TrySetResult();

    public void MarkFailed(Exception e)
    {
        Failure = e.Message;
        _ready.TrySetException(e);
    }

    public Task WhenReady(CancellationToken ct) => _ready.Task.WaitAsync(ct);
}
