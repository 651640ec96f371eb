using System.Globalization;
using OneGrid.Access;
using OneGrid.CommandCentre;

namespace OneGrid.Web;

/// <summary>
/// Keeps a live page current: when the <see cref="LiveCaseFeed"/> reports a change the person's grants reach
/// (made on this node or on any other sharing the database), it runs the page's refresh on the page's own
/// dispatcher, debounced so a burst of changes costs one query, and never two refreshes at once. The page's
/// culture is restored first: the feed raises its event on a background thread.
/// </summary>
public sealed class LiveRefresh : IDisposable
{
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);

    private readonly LiveCaseFeed _feed;
    private readonly Actor _actor;
    private readonly Func<Func<Task>, Task> _dispatch;
    private readonly Func<Task> _refresh;
    private readonly CultureInfo _culture;
    private readonly CultureInfo _uiCulture;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _scheduled;
    private bool _disposed;

    /// <param name="dispatch">The component's InvokeAsync.</param>
    /// <param name="refresh">Re-queries and re-renders; runs on the component's dispatcher.</param>
    public LiveRefresh(LiveCaseFeed feed, Actor actor, Func<Func<Task>, Task> dispatch, Func<Task> refresh)
    {
        _feed = feed;
        _actor = actor;
        _dispatch = dispatch;
        _refresh = refresh;
        _culture = CultureInfo.CurrentCulture;
        _uiCulture = CultureInfo.CurrentUICulture;
        feed.Changed += OnChanged;
    }

    private void OnChanged(CasesChanged change)
    {
        if (_disposed || LiveConnections.VisibleCodes(change, _actor).Count == 0) return;
        if (Interlocked.Exchange(ref _scheduled, 1) == 1) return; // a refresh is already on its way and will see this change
        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        await Task.Delay(Debounce);
        await _gate.WaitAsync();
        try
        {
            Interlocked.Exchange(ref _scheduled, 0);
            if (_disposed) return;
            await _dispatch(async () =>
            {
                CultureInfo.CurrentCulture = _culture;
                CultureInfo.CurrentUICulture = _uiCulture;
                await _refresh();
            });
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or Microsoft.JSInterop.JSDisconnectedException)
        {
            // The circuit went away while refreshing.
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _feed.Changed -= OnChanged;
    }
}
