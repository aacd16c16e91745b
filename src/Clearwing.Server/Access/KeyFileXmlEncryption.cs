using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.Server.Access;

/// <summary>
/// Encrypts a data-protection key's secret part with the <see cref="KeyFile"/> before it is stored:
/// <c>&lt;encryptedWithKeyFile keyFile="ID" nonce="…" tag="…"&gt;ciphertext&lt;/encryptedWithKeyFile&gt;</c>, all base64.
/// </summary>
sealed class KeyFileXmlEncryptor(KeyFile key) : IXmlEncryptor
{
    public static readonly XName Element = "encryptedWithKeyFile";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var (nonce, ciphertext, tag) = key.Encrypt(Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)));
        return new EncryptedXmlInfo(
            new XElement(Element,
                new XAttribute("keyFile", key.Id), new XAttribute("nonce", Convert.ToBase64String(nonce)),
                new XAttribute("tag", Convert.ToBase64String(tag)), Convert.ToBase64String(ciphertext)),
            typeof(KeyFileXmlDecryptor));
    }

    /// <summary>The id of the key file that encrypted <paramref name="key"/>'s secret; null when it is stored in the clear.</summary>
    public static string? KeyFileOf(XElement key) => key.Descendants(Element).Select(e => (string?)e.Attribute("keyFile")).FirstOrDefault();
}

/// <summary>
/// Data protection creates this by the type name stored beside each encrypted key, passing its service provider; the key file
/// comes from there. Without one (a copy of the database alone) nothing decrypts.
/// </summary>
sealed class KeyFileXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var key = services.GetService<KeyFile>()
            ?? throw new CryptographicException("A data-protection key is encrypted with a key file, and no key file is configured.");
        var id = (string?)encryptedElement.Attribute("keyFile");
        if (id != key.Id)
            throw new CryptographicException($"A data-protection key is encrypted with key file {id}; {key} is another.");
        var plaintext = key.Decrypt(
            Convert.FromBase64String((string)encryptedElement.Attribute("nonce")!), Convert.FromBase64String(encryptedElement.Value),
            Convert.FromBase64String((string)encryptedElement.Attribute("tag")!));
        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}
