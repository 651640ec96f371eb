using OneGrid.Persistence;

namespace OneGrid.Hosting;

/// <summary>What `serve` was asked for.</summary>
public sealed record HostSettings
{
    public required string DataDirectory { get; init; }
    public required DatabaseSettings Database { get; init; }
    public bool Demo { get; init; }
    public string? Urls { get; init; }
}
