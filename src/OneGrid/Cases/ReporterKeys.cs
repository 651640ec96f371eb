using System.Security.Cryptography;
using System.Text;
using OneGrid.Hosting;

namespace OneGrid.Cases;

/// <summary>
/// The secrets that tie a resident without an account to their own reports.
/// <para>
/// The <b>reporter key</b> of a case is an HMAC of its number under a key derived from the <see cref="HostKey"/>
/// (purpose <c>reporter-key</c>). Derived, not stored: nothing new in the database, nothing for a copy of the
/// database to leak, and every node computes the same key. The price is that a key cannot be withdrawn from one
/// case alone — only replacing the host key withdraws them all — which suits what it allows: rating one's own
/// closed case once. It goes to the reporter only (the confirmation URL, the intake's answer) and proves
/// "I reported this" where the number alone, which is public, does not.
/// </para>
/// <para>
/// The <b>phone key</b> is an HMAC of the normalised phone number under another derived key (purpose
/// <c>phone-lookup</c>), stored on a case only when its reporter opted in to looking their reports up by phone.
/// The lookup goes through its index; the key is useless without the host key, so the column is no phone
/// directory for someone who copies the database.
/// </para>
/// </summary>
public sealed class ReporterKeys(HostKey hostKey)
{
    private readonly byte[] _reporter = hostKey.Derive("reporter-key");
    private readonly byte[] _phone = hostKey.Derive("phone-lookup");

    /// <summary>128 bits, base64url: short enough for a link, far too many to guess.</summary>
    public string KeyOf(string caseNumber) =>
        Base64Url(HMACSHA256.HashData(_reporter, Encoding.UTF8.GetBytes(caseNumber)).AsSpan(0, 16));

    /// <summary>Whether <paramref name="key"/> is the reporter key of the case, compared in constant time.</summary>
    public bool Holds(string caseNumber, string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 64) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(KeyOf(caseNumber)), Encoding.ASCII.GetBytes(key));
    }

    /// <summary>The stored lookup key of a phone number, or null when it is no phone number (see <see cref="NormalizePhone"/>).</summary>
    public string? PhoneKeyOf(string? phone) =>
        NormalizePhone(phone) is { } normal ? Convert.ToHexStringLower(HMACSHA256.HashData(_phone, Encoding.ASCII.GetBytes(normal))) : null;

    /// <summary>
    /// Digits only, without a +86 / 0086 country prefix, so "138 0000 1234", "138-0000-1234" and "+86 13800001234"
    /// are one number; null unless 7 to 15 digits remain (a landline with its area code at least, E.164 at most).
    /// </summary>
    public static string? NormalizePhone(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone)) return null;
        var s = phone.Trim();
        if (s.StartsWith('+')) s = s[1..];
        var digits = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            if (ch is >= '0' and <= '9') digits.Append(ch);
            else if (ch is not (' ' or '-' or '(' or ')')) return null;
        }
        var d = digits.ToString();
        if (d.StartsWith("0086", StringComparison.Ordinal)) d = d[4..];
        else if (d.StartsWith("86", StringComparison.Ordinal) && d.Length == 13) d = d[2..];
        return d.Length is >= 7 and <= 15 ? d : null;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
