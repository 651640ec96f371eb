namespace OneGrid.Kernel;

/// <summary>Where a redirect parameter (returnUrl, redirect) may send people: paths on this site only.</summary>
public static class LocalUrls
{
    /// <summary>
    /// "/…" but not "//…" or "/\…" (another host to a browser), and no control characters: browsers drop a tab or
    /// newline from a URL, so "/\t/evil.example" would arrive as "//evil.example". The rule of LocalRedirect,
    /// which throws on anything else.
    /// </summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);
}
