using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using OneGrid.Persistence;

namespace OneGrid.Access;

/// <summary>
/// Personal codes of mobile grid workers (小哥码): the courier id and code version, encrypted and
/// authenticated with Data Protection (keys in the database, so every node and every restart honours
/// them). The code itself never expires; it dies when the stored version moves on or the courier is revoked.
/// </summary>
public sealed class CourierCodes(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("OneGrid.Access.CourierCode.v1");

    public string Issue(Courier courier)
    {
        var payload = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(payload, courier.Id);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(8), courier.CodeVersion);
        return WebEncoders.Base64UrlEncode(_protector.Protect(payload));
    }

    /// <summary>
    /// The courier a code stands for, through the node's <see cref="ActorCache"/>: null when the code is malformed
    /// or forged, the courier revoked, or the code superseded by a re-issue. The courier authentication handler
    /// and the report page both decide through this, so a code works (or stops) in both at once.
    /// </summary>
    public async Task<Courier?> FindAsync(string? code, ActorCache cache, OneGridDbContext db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(code) || !TryRead(code, out var id, out var version)) return null;
        var courier = await cache.GetAsync("courier:" + id,
            (db, ct) => db.Couriers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct), db, ct);
        return courier is null || courier.Revoked || courier.CodeVersion != version ? null : courier;
    }

    /// <summary>The courier as an actor: a <see cref="Role.Courier"/> grant on each street it covers.</summary>
    public static Actor ActorOf(Courier courier) =>
        new(courier.ActorId, courier.Name, courier.Name, courier.Streets.Select(s => new Grant(Role.Courier, s)).ToList());

    /// <summary>
    /// What the printed QR code (小哥码) encodes: a link to the report page carrying the code, so a phone's
    /// camera opens the page and the report is credited to the courier.
    /// </summary>
    public static string ReportLink(string baseUrl, string code) =>
        baseUrl.TrimEnd('/') + "/report?courier=" + Uri.EscapeDataString(code);

    public bool TryRead(string code, out long courierId, out int version)
    {
        courierId = 0;
        version = 0;
        try
        {
            var payload = _protector.Unprotect(WebEncoders.Base64UrlDecode(code.Trim()));
            if (payload.Length != 12) return false;
            courierId = BinaryPrimitives.ReadInt64BigEndian(payload);
            version = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(8));
            return true;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>
/// API keys look like <c>og_&lt;8-char prefix&gt;_&lt;43-char secret&gt;</c>. The prefix finds the row;
/// the SHA-256 of the whole key is what is stored and compared.
/// </summary>
public static class ApiKeySecrets
{
    public const int PrefixLength = 8;
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static (string Key, string Prefix, byte[] Hash) Generate()
    {
        var prefix = RandomNumberGenerator.GetString(Alphabet, PrefixLength);
        var key = $"og_{prefix}_{WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32))}";
        return (key, prefix, Hash(key));
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool TryGetPrefix(string key, out string prefix)
    {
        prefix = "";
        if (key.Length < 4 + PrefixLength + 1 || !key.StartsWith("og_", StringComparison.Ordinal) || key[3 + PrefixLength] != '_')
        {
            return false;
        }
        prefix = key.Substring(3, PrefixLength);
        return true;
    }

    public static bool Matches(string key, byte[] storedHash) =>
        storedHash.Length == 32 && CryptographicOperations.FixedTimeEquals(Hash(key), storedHash);
}

/// <summary>The credential headers other than cookies: <c>Authorization: Bearer|Courier|ApiKey …</c>, <c>X-Courier-Code</c>, <c>X-Api-Key</c>.</summary>
internal static class CredentialHeaders
{
    public const string CourierHeader = "X-Courier-Code";
    public const string ApiKeyHeader = "X-Api-Key";

    public static string? Read(HttpRequest request, string authorizationScheme, string header)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith(authorizationScheme + " ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization[(authorizationScheme.Length + 1)..].Trim();
        }
        var value = request.Headers[header].ToString();
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public static bool AnyPresented(HttpRequest request) =>
        request.Headers.Authorization.Count > 0 || request.Headers.ContainsKey(CourierHeader) || request.Headers.ContainsKey(ApiKeyHeader);
}
