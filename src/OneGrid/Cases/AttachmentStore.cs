using System.Buffers.Text;
using System.Security.Cryptography;
using OneGrid.Hosting;

namespace OneGrid.Cases;

public sealed record StoredFile(string Sha256, string ContentType, long Size);

/// <summary>
/// Photos and documents on disk under the data directory, named by their SHA-256, so the same photo
/// sent twice is stored once and a row can never point at changed bytes. The type is decided by the
/// content's magic bytes, never by the file name or the declared type.
/// </summary>
public sealed class AttachmentStore(HostSettings settings)
{
    public const long MaxBytes = 10 * 1024 * 1024;

    private string Root => Path.Combine(settings.DataDirectory, "files");

    /// <summary>Detects the type from the first bytes; null when it is not an accepted image or document.</summary>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "image/jpeg";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return "image/png";
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return "image/gif";
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        if (head.StartsWith("%PDF-"u8)) return "application/pdf";
        return null;
    }

    /// <summary>Stores the bytes if they are an accepted type; returns null (and stores nothing) otherwise.</summary>
    public async Task<StoredFile?> SaveAsync(byte[] content, CancellationToken ct)
    {
        if (content.Length == 0 || content.Length > MaxBytes) return null;
        var type = Sniff(content.AsSpan(0, Math.Min(16, content.Length)));
        if (type is null) return null;
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        var path = PathOf(hash);
        if (!File.Exists(path))
        {
            DataFolder.Ensure(Path.GetDirectoryName(path)!);
            // Write to a temporary name and move: a crash never leaves a truncated file under a valid hash.
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = DataFolder.FileMode;
            await using (var stream = new FileStream(temp, options)) await stream.WriteAsync(content, ct);
            File.Move(temp, path, overwrite: true);
        }
        return new StoredFile(hash, type, content.Length);
    }

    public bool Exists(string sha256) => IsHash(sha256) && File.Exists(PathOf(sha256));

    /// <summary>Deletes the stored bytes (an upload nobody attached); a file already gone is no error.</summary>
    public void Delete(string sha256)
    {
        if (IsHash(sha256)) File.Delete(PathOf(sha256));
    }

    public const string TokenPrefix = "ogu_";

    /// <summary>A new upload token and the hash stored for it: the token is shown once, to the uploader.</summary>
    public static (string Token, string Hash) NewToken()
    {
        var token = TokenPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (token, HashToken(token));
    }

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    public static bool IsToken(string text) => text.StartsWith(TokenPrefix, StringComparison.Ordinal) && text.Length <= 100;

    public Stream? Open(string sha256) => Exists(sha256) ? File.OpenRead(PathOf(sha256)) : null;

    public static bool IsHash(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);

    private string PathOf(string hash) => Path.Combine(Root, hash[..2], hash);
}
