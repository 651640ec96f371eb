using System.Security.Cryptography;

namespace OneGrid.Hosting;

/// <summary>
/// The deployment's secret that is deliberately not in the database, so that someone who copies only the
/// database cannot use what it protects (the Data Protection key ring, the audit checkpoints' signatures).
/// Taken from <c>Security:Key</c> (base64, at least 32 bytes) when set — every node of a multi-node deployment
/// must be given the same one —, else from the file named by <c>Security:KeyFile</c>, else from
/// <c>onegrid.key</c> in the data folder, which is created (readable by its owner only) on first start.
/// Each use derives its own key from it (HKDF-SHA256 with the purpose as info), so one use's key reveals
/// nothing about another's.
/// </summary>
public sealed class HostKey
{
    public const int MinimumLength = 32;
    public const string FileName = "onegrid.key";

    private readonly byte[] _master;

    public HostKey(byte[] master)
    {
        if (master.Length < MinimumLength)
            throw new ArgumentException($"The host key must be at least {MinimumLength} bytes.", nameof(master));
        _master = (byte[])master.Clone();
    }

    /// <summary>Where the key came from, for the start-up log (never the key itself).</summary>
    public string Source { get; private init; } = "memory";

    /// <summary>A key for one purpose (e.g. "data-protection", "audit-checkpoint"), stable across restarts.</summary>
    public byte[] Derive(string purpose, int length = 32) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _master, length, salt: [], info: System.Text.Encoding.UTF8.GetBytes(purpose));

    public static HostKey Load(IConfiguration configuration, HostSettings settings)
    {
        var configured = configuration["Security:Key"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            byte[] bytes;
            try { bytes = Convert.FromBase64String(configured.Trim()); }
            catch (FormatException) { throw new InvalidOperationException("Security:Key is not base64."); }
            if (bytes.Length < MinimumLength)
                throw new InvalidOperationException($"Security:Key must decode to at least {MinimumLength} bytes.");
            return new HostKey(bytes) { Source = "configuration (Security:Key)" };
        }

        var path = configuration["Security:KeyFile"] is { Length: > 0 } file
            ? Path.GetFullPath(file)
            : Path.Combine(settings.DataDirectory, FileName);
        if (!File.Exists(path)) CreateKeyFile(path);
        var text = File.ReadAllText(path).Trim();
        byte[] key;
        try { key = Convert.FromBase64String(text); }
        catch (FormatException) { throw new InvalidOperationException($"The key file {path} is not base64."); }
        if (key.Length < MinimumLength)
            throw new InvalidOperationException($"The key file {path} must hold at least {MinimumLength} bytes.");
        return new HostKey(key) { Source = path };
    }

    private static void CreateKeyFile(string path)
    {
        var dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir)) DataFolder.Ensure(dir);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var stream = new FileStream(path, options);
            using var writer = new StreamWriter(stream);
            writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinimumLength)));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process sharing the data folder created it first; use theirs.
        }
    }
}
