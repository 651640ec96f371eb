using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using OneGrid.Hosting;

namespace OneGrid.Access;

/// <summary>
/// Encrypts each Data Protection key before it is written to <c>data_protection_keys</c>, with AES-GCM under
/// a key derived from the <see cref="HostKey"/>: the key ring (which signs tokens, cookies, courier codes and
/// the demo key's secret) is then of no use to someone holding only a copy of the database. Keys written
/// before this existed stay readable — Data Protection asks a decryptor only for elements it encrypted.
/// </summary>
internal sealed class HostKeyXmlEncryptor(HostKey hostKey) : IXmlEncryptor
{
    internal const string Purpose = "data-protection";
    internal static readonly XName Element = "hostKeyEncrypted";
    // Binds the ciphertext to this use, so no other AES-GCM blob under the same derived key can pass for a key.
    internal static readonly byte[] AssociatedData = "OneGrid.DataProtection.KeyXml.v1"u8.ToArray();
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var blob = new byte[NonceSize + plain.Length + TagSize];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(hostKey.Derive(Purpose), TagSize))
        {
            aes.Encrypt(nonce, plain, blob.AsSpan(NonceSize, plain.Length), blob.AsSpan(NonceSize + plain.Length), AssociatedData);
        }
        CryptographicOperations.ZeroMemory(plain);
        var element = new XElement(Element,
            new XComment(" Encrypted with the host key (Security:Key, Security:KeyFile or onegrid.key); useless without it. "),
            new XElement("value", Convert.ToBase64String(blob)));
        return new EncryptedXmlInfo(element, typeof(HostKeyXmlDecryptor));
    }
}

/// <summary>Reverses <see cref="HostKeyXmlEncryptor"/>; Data Protection creates it with its service provider.</summary>
internal sealed class HostKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public XElement Decrypt(XElement encryptedElement)
    {
        var hostKey = services.GetRequiredService<HostKey>();
        byte[] blob;
        try { blob = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? ""); }
        catch (FormatException e) { throw new CryptographicException("The encrypted key is not base64.", e); }
        if (blob.Length < NonceSize + TagSize) throw new CryptographicException("The encrypted key is truncated.");
        var plain = new byte[blob.Length - NonceSize - TagSize];
        using (var aes = new AesGcm(hostKey.Derive(HostKeyXmlEncryptor.Purpose), TagSize))
        {
            // A different host key fails the tag check here: the key ring stays sealed.
            aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize, plain.Length), blob.AsSpan(NonceSize + plain.Length), plain,
                HostKeyXmlEncryptor.AssociatedData);
        }
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plain));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
